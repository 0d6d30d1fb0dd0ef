package dev.launchkit.k8s.render;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MacrosTest {
    private final SecretMasker masker = new SecretMasker();

    private ObjectNode renderEnv(List<String> allow, String value) {
        ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings().withMacroEnv(allow), Fixtures.AGENT_ENV,
                masker);
        ObjectNode args = Fixtures.yaml("spec: {template: {spec: {containers: [{env: [{name: X, value: 'v'}]}]}}}");
        ((ObjectNode) args.at("/spec/template/spec/containers/0/env/0")).put("value", value);
        return (ObjectNode) renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE).manifest()
                .at("/spec/template/spec/containers/0/env/0");
    }

    @Test
    void substitutesTheBuiltInMacros() {
        ObjectNode env = renderEnv(List.of(),
                "${project_name}|${entity_name}|${run_id}|${run_name}|${image_uri}|${author}");

        assertThat(env.path("value").asText()).isEqualTo("vision|my-team|k3x9p2aa|resnet-lr-sweep-3|"
                + IMAGE + "|alice");
    }

    @Test
    void substitutesAllowListedEnvironmentVariables() {
        assertThat(renderEnv(List.of("DATA_BUCKET"), "${DATA_BUCKET}/train").path("value").asText())
                .isEqualTo("s3://training-data/train");
    }

    @Test
    void leavesEnvironmentVariablesThatAreNotAllowListed() {
        assertThat(renderEnv(List.of("DATA_BUCKET"), "${AWS_SECRET_ACCESS_KEY}").path("value").asText())
                .isEqualTo("${AWS_SECRET_ACCESS_KEY}");
    }

    @Test
    void refusesTheApiKeyMacroEvenWhenAllowListedNamingTheKeyPath() {
        assertThatThrownBy(() -> renderEnv(List.of("WANDB_API_KEY"), "token=${WANDB_API_KEY}"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("resource_args.kubernetes.spec.template.spec.containers[0].env[0].value")
                .hasMessageContaining("${WANDB_API_KEY} names a secret")
                .hasMessageContaining("secretKeyRef");
    }

    @Test
    void refusesAnAllowListedVariableHoldingARegisteredSecretWithoutQuotingIt() {
        masker.register(Fixtures.AGENT_ENV.get("DATA_BUCKET"));

        assertThatThrownBy(() -> renderEnv(List.of("DATA_BUCKET"), "${DATA_BUCKET}/train"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("${DATA_BUCKET} names a secret")
                .hasMessageNotContaining(Fixtures.AGENT_ENV.get("DATA_BUCKET"));
    }

    @Test
    void leavesASecretVariableThatIsNotAllowListedAsAnUnknownMacro() {
        masker.register("aws-secret-value-0123456789");

        assertThat(renderEnv(List.of(), "${AWS_SECRET_ACCESS_KEY}").path("value").asText())
                .isEqualTo("${AWS_SECRET_ACCESS_KEY}");
    }

    @Test
    void leavesUnknownMacrosAndKeysAlone() {
        Macros macros = Macros.of(Fixtures.imageJob("r1", Fixtures.yaml("{}")), IMAGE, List.of(), Map.of(), masker);
        ObjectNode tree = Fixtures.yaml("{'${run_id}': '${nope} ${run_id}'}");
        macros.applyTo(tree);

        assertThat(tree.path("${run_id}").asText()).isEqualTo("${nope} r1");
    }

    @Test
    void refusesAPlainValueHoldingARegisteredSecretNamingTheKeyPathButNotTheSecret() {
        masker.register("storage-key-0123456789");

        assertThatThrownBy(() -> renderEnv(List.of(), "key=storage-key-0123456789"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("resource_args.kubernetes.spec.template.spec.containers[0].env[0].value holds a "
                        + "secret")
                .hasMessageNotContaining("storage-key-0123456789");
    }
}
