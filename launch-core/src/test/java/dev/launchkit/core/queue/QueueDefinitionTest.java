package dev.launchkit.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.testutil.Seed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueDefinitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LocatedTree parser = new LocatedTree();

    private static ObjectNode json(String s) {
        try {
            return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static LaunchSpec spec() {
        return LaunchSpec.parse("{\"entity\":\"team\",\"project\":\"vision\",\"docker\":{\"docker_image\":\"python:3.11\"}}");
    }

    @Test
    void mergesSeedKubernetesSpecAsResourceArgsOfTheItem() {
        ObjectNode seed = Seed.queueK8sJob();
        QueueDefinition q = QueueDefinition.of("k8s-test", "kubernetes", seed);

        MergedSpec merged = q.merge(spec(), Map.of());

        assertThat(merged.spec().resource()).contains("kubernetes");
        assertThat(merged.spec().resourceArgs("kubernetes")).isEqualTo(seed);
        assertThat(merged.spec().resourceArgs("kubernetes").at("/spec/template/spec/containers/0/resources/requests/memory")
                .asText()).isEqualTo("1Gi");
        assertThat(merged.spec().entity()).contains("team");
        assertThat(merged.warnings()).isEmpty();
        assertThat(q.wandbResourceConfig().at("/resource_args/kubernetes")).isEqualTo(seed);
    }

    @Test
    void fillsWholeValuePlaceholdersTypedAndPartialOnesAsText() {
        QueueDefinition q = QueueDefinition.of("gpu", "kubernetes", json(
                "{'metadata':{'labels':{'size':'gpu-{{gpus}}x','{{tier}}':'yes'}},"
                        + "'spec':{'parallelism':'{{gpus}}','template':{'spec':{'containers':[{'resources':"
                        + "{'limits':{'cpu':'{{ cpu }}','memory':'{{memory}}'}}}]}}}}"), List.of(TemplateVariable.integer("gpus"), TemplateVariable.number("cpu"),
                        TemplateVariable.string("memory"), TemplateVariable.string("tier")));

        JsonNode args = q.merge(spec(), Map.of("gpus", 2, "cpu", "1.5", "memory", "4Gi", "tier", "gold"))
                .spec().resourceArgs("kubernetes");

        assertThat(args.at("/spec/parallelism").isIntegralNumber()).isTrue();
        assertThat(args.at("/spec/parallelism").intValue()).isEqualTo(2);
        assertThat(args.at("/spec/template/spec/containers/0/resources/limits/cpu").isNumber()).isTrue();
        assertThat(args.at("/spec/template/spec/containers/0/resources/limits/cpu").doubleValue()).isEqualTo(1.5);
        assertThat(args.at("/spec/template/spec/containers/0/resources/limits/memory").asText()).isEqualTo("4Gi");
        assertThat(args.at("/metadata/labels/size").asText()).isEqualTo("gpu-2x");
        assertThat(args.at("/metadata/labels/gold").asText()).isEqualTo("yes");
    }

    @Test
    void usesDefaultsForValuesNotGiven() {
        QueueDefinition q = QueueDefinition.of("q", "kubernetes", json("{'spec':{'parallelism':'{{gpus}}'}}"), List.of(TemplateVariable.integer("gpus").defaultValue(1)));

        assertThat(q.merge(spec(), Map.of()).spec().resourceArgs("kubernetes").at("/spec/parallelism").intValue())
                .isEqualTo(1);
    }

    @Test
    void rejectsMissingUnknownWrongTypedOutOfRangeAndNonEnumValuesNamingTheVariable() {
        QueueDefinition q = QueueDefinition.of("gpu", "kubernetes",
                        json("{'spec':{'parallelism':'{{gpus}}','tier':'{{tier}}'}}"), List.of(TemplateVariable.integer("gpus").minimum(1).maximum(4),
                        TemplateVariable.string("tier").allowed("small", "large").defaultValue("small")));

        assertThatThrownBy(() -> q.merge(spec(), Map.of()))
                .isInstanceOf(TemplateVariableException.class)
                .hasMessage("template variable 'gpus' has no value and no default; pass a value for it (integer) "
                        + "when pushing to queue 'gpu'");
        assertThatThrownBy(() -> q.merge(spec(), Map.of("gpus", 1, "gpu_type", "a100")))
                .hasMessage("template variable 'gpu_type': queue 'gpu' does not support overriding 'gpu_type'; its "
                        + "template variables are gpus, tier");
        assertThatThrownBy(() -> q.merge(spec(), Map.of("gpus", "many")))
                .hasMessage("template variable 'gpus': value must be an integer, got 'many'");
        assertThatThrownBy(() -> q.merge(spec(), Map.of("gpus", 7)))
                .hasMessage("template variable 'gpus': 7 is above the maximum 4");
        assertThatThrownBy(() -> q.merge(spec(), Map.of("gpus", 0)))
                .hasMessage("template variable 'gpus': 0 is below the minimum 1");
        assertThatThrownBy(() -> q.merge(spec(), Map.of("gpus", 2, "tier", "huge")))
                .hasMessage("template variable 'tier': 'huge' is not one of 'small', 'large'");
    }

    @Test
    void keepsResourceArgsTheItemCarriesItself() {
        QueueDefinition q = QueueDefinition.of("k8s-test", "kubernetes", Seed.queueK8sJob(), List.of(TemplateVariable.integer("unused")));
        LaunchSpec own = spec().with("resource_args", json("{'kubernetes':{'metadata':{'namespace':'mine'}}}"));

        MergedSpec merged = q.merge(own, Map.of());

        assertThat(merged.spec().resourceArgs("kubernetes").at("/metadata/namespace").asText()).isEqualTo("mine");
        assertThat(merged.spec().resource()).contains("kubernetes");
    }

    @Test
    void takesTemplateVariablesFromTheSpecAndDropsItsResourceArgsWithAWarning() {
        QueueDefinition q = QueueDefinition.of("q", "kubernetes", json("{'spec':{'parallelism':'{{gpus}}'}}"), List.of(TemplateVariable.integer("gpus")));
        LaunchSpec s = spec().with("template_variables", json("{'gpus':'3'}"))
                .with("resource_args", json("{'kubernetes':{'spec':{'parallelism':9}}}"));

        MergedSpec merged = q.merge(s, Map.of());

        assertThat(merged.spec().resourceArgs("kubernetes").at("/spec/parallelism").intValue()).isEqualTo(3);
        assertThat(merged.spec().get("template_variables").isMissingNode()).isTrue();
        assertThat(merged.warnings()).singleElement().asString().contains("resource_args was dropped");
    }

    @Test
    void fillsEntityFromTheQueueWhenTheSpecHasNone() {
        QueueDefinition q = QueueDefinition.bare("q").withEntity("my-team");

        assertThat(q.merge(LaunchSpec.parse("{\"image_uri\":\"x:1\"}"), Map.of()).spec().entity()).contains("my-team");
        assertThat(q.merge(spec(), Map.of()).spec().entity()).contains("team");
    }

    @Test
    void bareQueueMergesNothingAndRefusesTemplateValues() {
        QueueDefinition q = QueueDefinition.bare("q");

        assertThat(q.merge(spec(), Map.of()).spec()).isEqualTo(spec());
        assertThatThrownBy(() -> q.merge(spec(), Map.of("gpus", 1)))
                .hasMessageContaining("does not support overriding 'gpus'; it has no template variables");
    }

    @Test
    void refusesConfigurationWithUndeclaredPlaceholder() {
        assertThatThrownBy(() -> QueueDefinition.of("q", "kubernetes", json("{'spec':{'parallelism':'{{gpus}}'}}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queue 'q': the resource configuration uses {{gpus}}, but the queue declares no template "
                        + "variable 'gpus'; add it to template_variables with its type");
    }

    @Test
    void refusesNamesThatCouldEscapeAFolder() {
        assertThatThrownBy(() -> QueueDefinition.bare("../etc")).hasMessageContaining("queue name '../etc'");
        assertThatThrownBy(() -> QueueDefinition.bare("")).hasMessageContaining("queue name ''");
    }

    @Test
    void readsQueueFileWithTemplateVariablesAndWritesTheSameBack() {
        String yaml = """
                entity: my-team
                resource: kubernetes
                prioritization_mode: disabled
                template_variables:
                  gpus: {type: integer, minimum: 1, maximum: 4, default: 1}
                config:
                  metadata:
                    namespace: wandb
                  spec:
                    parallelism: "{{gpus}}"
                """;

        QueueDefinition q = QueueDefinition.parse(parser.parse(yaml, "q/queue.yaml", LocatedTree.Format.YAML), "q");

        assertThat(q.entity()).isEqualTo("my-team");
        assertThat(q.prioritization()).isEqualTo(PrioritizationMode.DISABLED);
        assertThat(q.templateVariable("gpus").orElseThrow().maximum()).isPresent();
        assertThat(QueueDefinition.parse(dev.launchkit.core.ConfigNode.of(q.toJson(), "copy"), "q")).isEqualTo(q);
    }

    @Test
    void readsWandbListOfTemplateVariablesWithSchemaStrings() {
        String yaml = """
                resource: kubernetes
                template_variables:
                  - name: tier
                    schema: '{"type":"string","enum":["a","b"],"default":"a"}'
                config: {metadata: {labels: {tier: "{{tier}}"}}}
                """;

        QueueDefinition q = QueueDefinition.parse(parser.parse(yaml, "q/queue.yaml", LocatedTree.Format.YAML), "q");

        assertThat(q.merge(spec(), Map.of()).spec().resourceArgs("kubernetes").at("/metadata/labels/tier").asText())
                .isEqualTo("a");
    }

    @Test
    void reportsQueueFileErrorsWithFileLineAndKey() {
        String badKey = "resource: kubernetes\nconfigs: {}\n";
        assertThatThrownBy(() -> QueueDefinition.parse(parser.parse(badKey, "q/queue.yaml", LocatedTree.Format.YAML), "q"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("q/queue.yaml:2: configs: 'configs' is not a queue key");

        String badSchema = "resource: kubernetes\ntemplate_variables:\n  gpus:\n    type: integer\n    maximum: lots\n";
        assertThatThrownBy(() -> QueueDefinition.parse(parser.parse(badSchema, "q/queue.yaml", LocatedTree.Format.YAML), "q"))
                .hasMessageStartingWith("q/queue.yaml:5: template_variables.gpus.maximum: expected a number");

        String undeclared = "resource: kubernetes\nconfig:\n  spec: {parallelism: \"{{gpus}}\"}\n";
        assertThatThrownBy(() -> QueueDefinition.parse(parser.parse(undeclared, "q/queue.yaml", LocatedTree.Format.YAML), "q"))
                .hasMessageStartingWith("q/queue.yaml")
                .hasMessageContaining("declares no template variable 'gpus'");

        String otherName = "name: other\nresource: kubernetes\n";
        assertThatThrownBy(() -> QueueDefinition.parse(parser.parse(otherName, "q/queue.yaml", LocatedTree.Format.YAML), "q"))
                .hasMessageStartingWith("q/queue.yaml:1: name: the file names queue 'other' but belongs to queue 'q'");
    }
}
