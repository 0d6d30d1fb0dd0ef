package dev.launchkit.k8s.render;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.k8s.Labels;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobRenderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecretMasker masker = new SecretMasker();
    private final ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV, masker);

    private V1Job render(ObjectNode queueConfig) {
        return renderer.render(Fixtures.imageJob("k3x9p2aa", queueConfig), IMAGE).batchJob().orElseThrow();
    }

    @Test
    void rendersSeedQueueSpecWithAllThreeInjectedDefaults() {
        V1Job job = render(Fixtures.seedQueueConfig());

        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getKind()).isEqualTo("Job");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("wandb");
        assertThat(job.getMetadata().getLabels()).containsEntry("queue", "k8s-test");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(60);
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        V1Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getName()).isEqualTo("launch0");
        assertThat(c.getImage()).isEqualTo(IMAGE.toString());
        assertThat(c.getResources().getRequests()).containsEntry("cpu", Quantity.fromString("1000m"))
                .containsEntry("memory", Quantity.fromString("1Gi"));
        assertThat(c.getEnv().get(0)).isEqualTo(new V1EnvVar().name("MY_ENV_VAR").value("some-value"));
        assertThat(c.getSecurityContext()).isEqualTo(new V1SecurityContext().allowPrivilegeEscalation(false)
                .capabilities(new io.kubernetes.client.openapi.models.V1Capabilities().drop(List.of("ALL")))
                .seccompProfile(new io.kubernetes.client.openapi.models.V1SeccompProfile().type("RuntimeDefault")));
    }

    @Test
    void appendsWandbEnvAfterTheQueuesOwnInW_B_Order() {
        V1Container c = render(Fixtures.seedQueueConfig()).getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(c.getEnv()).extracting(V1EnvVar::getName).containsExactly("MY_ENV_VAR", "WANDB_BASE_URL",
                "WANDB_API_KEY", "WANDB_PROJECT", "WANDB_ENTITY", "WANDB_LAUNCH", "WANDB_RUN_ID", "WANDB_DOCKER",
                "WANDB_NAME", "WANDB_USERNAME", "WANDB_LAUNCH_QUEUE_NAME", "WANDB_LAUNCH_QUEUE_ENTITY",
                "WANDB_LAUNCH_TRACE_ID", "WANDB_ARTIFACTS");
        assertThat(env(c, "WANDB_PROJECT").getValue()).isEqualTo("vision");
        assertThat(env(c, "WANDB_RUN_ID").getValue()).isEqualTo("k3x9p2aa");
        assertThat(env(c, "WANDB_BASE_URL").getValue()).isEqualTo("https://api.wandb.example");
        V1EnvVar key = env(c, "WANDB_API_KEY");
        assertThat(key.getValue()).isNull();
        assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("wandb-api-key-k3x9p2aa");
        assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
    }

    static Stream<Arguments> queueOwnSettings() {
        return Stream.of(
                Arguments.of("backoffLimit", "spec: {backoffLimit: 3}", "/spec/backoffLimit", "3"),
                Arguments.of("ttlSecondsAfterFinished", "spec: {ttlSecondsAfterFinished: 3600}",
                        "/spec/ttlSecondsAfterFinished", "3600"),
                Arguments.of("restartPolicy", "spec: {template: {spec: {restartPolicy: OnFailure}}}",
                        "/spec/template/spec/restartPolicy", "\"OnFailure\""),
                Arguments.of("container securityContext",
                        "spec: {template: {spec: {containers: [{securityContext: {runAsUser: 1000, runAsNonRoot: true}}]}}}",
                        "/spec/template/spec/containers/0/securityContext", "{\"runAsUser\":1000,\"runAsNonRoot\":true}"),
                Arguments.of("container name", "spec: {template: {spec: {containers: [{name: trainer}]}}}",
                        "/spec/template/spec/containers/0/name", "\"trainer\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queueOwnSettings")
    void keepsWhatTheQueueSetsInsteadOfTheDefault(String what, String queueYaml, String pointer, String expected)
            throws Exception {
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.yaml(queueYaml)), IMAGE);

        assertThat(run.manifest().at(pointer)).isEqualTo(JSON.readTree(expected));
        assertThat(run.batchJob()).isPresent();
    }

    @Test
    void keepsDefaultsBesideTheValuesTheQueueOverrides() {
        V1Job job = render(Fixtures.yaml("spec: {backoffLimit: 2}"));

        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(60);
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void rendersAJobFromEmptyResourceArgs() {
        V1Job job = render(JSON.createObjectNode());

        assertThat(job.getMetadata().getNamespace()).isEqualTo("wandb");
        assertThat(job.getSpec().getTemplate().getSpec().getContainers()).singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo(IMAGE.toString()));
    }

    @Test
    void labelsTheJobAndItsPodTemplateSoTheMonitorAndARestartedAgentFindThem() {
        V1Job job = render(Fixtures.seedQueueConfig());

        assertThat(job.getMetadata().getLabels()).containsEntry(Labels.RUN_ID, "k3x9p2aa")
                .containsEntry(Labels.MONITOR, "true").containsEntry(Labels.AGENT, "agent-7f3c")
                .containsEntry(Labels.OWNER, "launch-agent");
        assertThat(job.getMetadata().getAnnotations()).containsEntry(Labels.QUEUE, "k8s-test")
                .containsEntry(Labels.ITEM_ID, "UnVuUXVldWVJdGVtOjQ1Njc4").containsEntry(Labels.ENTITY, "my-team");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.RUN_ID, "k3x9p2aa")
                .containsEntry(Labels.MONITOR, "true").containsEntry(Labels.OWNER, "launch-agent");
    }

    @Test
    void namesTheJobAfterTheRunIdKeepingDigits() {
        V1Job job = render(Fixtures.seedQueueConfig());

        assertThat(job.getMetadata().getName()).isEqualTo("launch-k3x9p2aa");
        assertThat(job.getMetadata().getGenerateName()).isNull();
    }

    @Test
    void keepsAQueueGivenNameAndDropsGenerateName() {
        V1Job job = render(Fixtures.yaml("metadata: {name: 'train-${run_id}', generateName: 'x-'}"));

        assertThat(job.getMetadata().getName()).isEqualTo("train-k3x9p2aa");
        assertThat(job.getMetadata().getGenerateName()).isNull();
    }

    @Test
    void refusesAQueueGivenNameThatIsNotAValidJobName() {
        assertThatThrownBy(() -> render(Fixtures.yaml("metadata: {name: Train_Job}")))
                .isInstanceOf(LaunchException.class).hasMessageContaining("metadata.name: 'Train_Job'");
    }

    @Test
    void putsTheImageIntoContainerZeroOfAnImageJobEvenWhenTheQueueNamedOne() {
        V1Job job = render(Fixtures.yaml("spec: {template: {spec: {containers: [{image: busybox}, {name: side, image: envoy}]}}}"));

        List<V1Container> cs = job.getSpec().getTemplate().getSpec().getContainers();
        assertThat(cs.get(0).getImage()).isEqualTo(IMAGE.toString());
        assertThat(cs.get(0).getName()).isEqualTo("launch0");
        assertThat(cs.get(1).getImage()).isEqualTo("envoy");
        assertThat(cs.get(1).getName()).isEqualTo("side");
    }

    @Test
    void replacesArgsAndCommandWithTheOverrides() {
        ObjectNode extra = JSON.createObjectNode();
        extra.putObject("overrides").set("args", JSON.valueToTree(List.of("--epochs", "20")));
        ((ObjectNode) extra.get("overrides")).set("entry_point", JSON.valueToTree(List.of("python", "train.py")));
        Job job = Fixtures.job("k3x9p2aa", Fixtures.yaml(
                "spec: {template: {spec: {containers: [{command: [sh], args: [-c, old]}]}}}"), extra);

        V1Container c = renderer.render(job, IMAGE).batchJob().orElseThrow().getSpec().getTemplate().getSpec()
                .getContainers().get(0);

        assertThat(c.getArgs()).containsExactly("--epochs", "20");
        assertThat(c.getCommand()).containsExactly("python", "train.py");
    }

    @Test
    void keepsTheQueuesCommandWhenOnlyTheJobsOwnEntrypointIsKnown() {
        V1Container c = render(Fixtures.yaml("spec: {template: {spec: {containers: [{command: [sh, run.sh]}]}}}"))
                .getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(c.getCommand()).containsExactly("sh", "run.sh");
        assertThat(c.getArgs()).isNullOrEmpty();
    }

    @Test
    void stripsAgentOnlyKeysFromTheBody() {
        ObjectNode args = Fixtures.yaml("""
                namespace: default
                wait_for_ready: false
                wait_timeout: 120
                builder: {accelerator: {base_image: nvidia/cuda}}
                spec: {template: {spec: {containers: [{}]}}}
                """);
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE);

        assertThat(run.manifest().fieldNames()).toIterable()
                .containsExactly("apiVersion", "kind", "metadata", "spec");
        assertThat(run.namespace()).isEqualTo("default");
    }

    @Test
    void refusesAKubeContextOtherThanTheAgentsOwn() {
        assertThatThrownBy(() -> render(Fixtures.yaml("context: other-cluster")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("resource_args.kubernetes.context: 'other-cluster'")
                .hasMessageContaining("in-cluster");
    }

    @Test
    void acceptsTheAgentsOwnContextName() {
        ManifestRenderer local = new ManifestRenderer(Fixtures.settings().withCluster("kind-dev", "/tmp/kubeconfig"),
                Fixtures.AGENT_ENV, masker);
        RenderedRun run = local.render(Fixtures.imageJob("k3x9p2aa",
                Fixtures.yaml("{context: kind-dev, configFile: /tmp/../tmp/kubeconfig}")), IMAGE);

        assertThat(run.manifest().has("context")).isFalse();
        assertThat(run.manifest().has("configFile")).isFalse();
    }

    @Test
    void refusesAnUnknownFieldNamingItsPath() {
        assertThatThrownBy(() -> render(Fixtures.yaml("spec: {template: {spec: {nodeselector: {a: b}}}}")))
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT))
                .hasMessageContaining("unknown field spec.template.spec.nodeselector")
                .hasMessageNotContaining("JSON:");
    }

    @Test
    void refusesEnvGivenAsAMapping() {
        assertThatThrownBy(() -> render(Fixtures.yaml("spec: {template: {spec: {containers: [{env: {A: b}}]}}}")))
                .isInstanceOf(LaunchException.class).hasMessageContaining("env must be a list");
    }

    @Test
    void refusesAContainerThatIsNotAMapping() {
        assertThatThrownBy(() -> render(Fixtures.yaml("spec: {template: {spec: {containers: [trainer]}}}")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("resource_args.kubernetes.spec.template.spec.containers[0] must be a mapping");
    }

    @Test
    void refusesASpecThatIsNotAMapping() {
        assertThatThrownBy(() -> render(Fixtures.yaml("spec: run-it")))
                .isInstanceOf(LaunchException.class).hasMessageContaining("resource_args.kubernetes.spec must be a mapping");
    }

    @Test
    void rendersBatchV1beta1AsBatchV1() {
        V1Job job = render(Fixtures.yaml("{apiVersion: batch/v1beta1, kind: Job}"));

        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
    }

    @Test
    void refusesAKindWithoutApiVersion() {
        assertThatThrownBy(() -> render(Fixtures.yaml("kind: PyTorchJob")))
                .isInstanceOf(LaunchException.class).hasMessageContaining("'PyTorchJob' needs an apiVersion");
    }

    @Test
    void rendersTheSameObjectsForTheSameJobEveryTime() {
        Job job = Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig());

        assertThat(renderer.render(job, IMAGE).toYaml(masker)).isEqualTo(renderer.render(job, IMAGE).toYaml(masker));
    }

    private static V1EnvVar env(V1Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    }

    static JsonNode at(RenderedRun run, String pointer) {
        return run.manifest().at(pointer);
    }
}
