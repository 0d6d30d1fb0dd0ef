package dev.launchkit.k8s;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.RunnerProvider;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.k8s.render.Fixtures;
import dev.launchkit.k8s.render.RenderedRun;
import dev.launchkit.k8s.render.SecurityPolicy;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesRunnerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final SimulatedCluster cluster = SimulatedCluster.start();
    {
        cluster.registerCustomResource("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs");
    }
    private final LaunchContext context = LaunchContext.basic(Fixtures.AGENT_ENV);
    private final RecordingMonitor monitor = new RecordingMonitor();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        cluster.close();
        context.scheduler().shutdownNow();
    }

    private KubernetesRunner runner(LaunchContext ctx, String configYaml) {
        return KubernetesRunner.builder(ctx)
                .config(ConfigNode.of(Fixtures.yaml(configYaml), "launch-config.yaml"))
                .apiClient(cluster.apiClient())
                .agentNamespace("wandb")
                .monitor(monitor)
                .build();
    }

    private KubernetesRunner runner() {
        return runner(context, "{additional_target_namespaces: [default, wandb], owner: launch, agent_name: agent-7f3c}");
    }

    @Test
    void submitCreatesTheJobAndHandsItToTheMonitor() throws Exception {
        Job job = Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig());
        SubmittedRun run;
        try (KubernetesRunner runner = runner()) {
            run = runner.submit(job, IMAGE);
        }

        assertThat(monitor.tracked).containsExactly(new KubeObjectRef("wandb", "batch/v1", "Job", "jobs",
                "launch-k3x9p2aa"));
        assertThat(monitor.jobs).containsExactly(job);
        assertThat(run.id()).isEqualTo("wandb/Job/launch-k3x9p2aa");
        V1Job held = new BatchV1Api(cluster.apiClient()).readNamespacedJob("launch-k3x9p2aa", "wandb").execute();
        assertThat(held.getMetadata().getLabels()).containsEntry(Labels.OWNER, "launch")
                .containsEntry(Labels.AGENT, "agent-7f3c");
        assertThat(monitor.closed).as("an injected monitor belongs to whoever injected it").isFalse();
    }

    @Test
    void resubmittingARunTracksTheSameObjectAgain() {
        Job job = Fixtures.imageJob("k3x9p2aa", Fixtures.customResource("pytorchjob.yaml"));
        KubernetesRunner runner = runner();
        runner.submit(job, IMAGE);
        runner.submit(job, IMAGE);

        assertThat(monitor.tracked).hasSize(2).containsOnly(new KubeObjectRef("wandb", "kubeflow.org/v1",
                "PyTorchJob", "pytorchjobs", "launch-k3x9p2aa"));
    }

    @Test
    void renderShowsExactlyWhatSubmitCreatesWithSecretsMasked() throws Exception {
        Job job = Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig());
        KubernetesRunner runner = runner();
        String yaml = runner.render(job, IMAGE).toYaml(context.masker());
        runner.submit(job, IMAGE);

        List<ObjectNode> docs = documents(yaml);
        ObjectNode renderedJob = docs.get(docs.size() - 1);
        ObjectNode held = (ObjectNode) MAPPER.readTree(new JSON().serialize(
                new BatchV1Api(cluster.apiClient()).readNamespacedJob("launch-k3x9p2aa", "wandb").execute()));
        ((ObjectNode) held.get("metadata")).remove(List.of("uid", "resourceVersion", "creationTimestamp",
                "generation", "managedFields"));
        held.remove("status");
        assertThat(pruned(held)).isEqualTo(pruned(renderedJob));
        ObjectNode secret = docs.get(0);
        assertThat(secret.at("/metadata/name").asText()).isEqualTo("wandb-api-key-k3x9p2aa");
        assertThat(secret.at("/stringData/password").asText()).isEqualTo("****");
        assertThat(secret.has("data")).isFalse();
        assertThat(yaml).doesNotContain(Fixtures.API_KEY);
    }

    @Test
    void refusesANamespaceOutsideTheAllowListBeforeAnyApiCall() {
        KubernetesRunner runner = runner();
        long before = cluster.requestCount();

        assertThatThrownBy(() -> runner.submit(Fixtures.imageJob("k3x9p2aa",
                Fixtures.yaml("metadata: {namespace: kube-system}")), IMAGE))
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT))
                .hasMessageContaining("namespace 'kube-system' is not one this agent may submit to");
        assertThat(cluster.requestCount()).isEqualTo(before);
        assertThat(monitor.tracked).isEmpty();
    }

    @Test
    void appliesTheConfiguredSecurityPolicy() {
        KubernetesRunner runner = runner(context, "{security: restricted}");

        assertThat(runner.renderSettings().security()).isEqualTo(SecurityPolicy.RESTRICTED);
        assertThatThrownBy(() -> runner.submit(Fixtures.imageJob("k3x9p2aa",
                Fixtures.yaml("spec: {template: {spec: {hostNetwork: true}}}")), IMAGE))
                .hasMessageContaining("'spec.template.spec.hostNetwork'");
    }

    @Test
    void adoptAsksTheMonitorForEveryNamespaceRunsMayBeIn() {
        runner().adopt();

        assertThat(monitor.adoptedNamespaces).containsExactly(java.util.Set.of("wandb", "default"));
    }

    @Test
    void createsAPullSecretWhenTheImageIsInTheAgentsRegistry() throws Exception {
        KubernetesRunner runner = runner(context.withRegistry(new CredentialedRegistry()), "{}");
        runner.submit(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE);

        assertThat(new CoreV1Api(cluster.apiClient()).readNamespacedSecret("regcred-k3x9p2aa", "wandb").execute()
                .getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(context.masker().mask("token ecr-token-0123456789")).isEqualTo("token ****");
    }

    @Test
    void createsNoPullSecretForAnImageFromAnotherRegistry() {
        KubernetesRunner runner = runner(context.withRegistry(new CredentialedRegistry()), "{}");
        ObjectNode extra = MAPPER.createObjectNode();
        extra.putObject("docker").put("docker_image", "ghcr.io/org/trainer:1");
        Job job = Fixtures.job("k3x9p2aa", Fixtures.seedQueueConfig(), extra);

        RenderedRun run = runner.render(job, ImageRef.parse("ghcr.io/org/trainer:1"));

        assertThat(run.secrets()).extracting(s -> s.name()).containsExactly("wandb-api-key-k3x9p2aa");
    }

    @Test
    void theProviderIsFoundByTypeAndConnectsThroughTheConfiguredKubeconfig() throws Exception {
        Path kubeconfig = kubeconfig("team-a");
        Map<String, String> env = new HashMap<>(Fixtures.AGENT_ENV);
        LaunchContext ctx = context.withEnv(env);
        RunnerProvider provider = Plugins.load(RunnerProvider.class, "runner").require("kubernetes",
                ConfigNode.empty("test"));
        ConfigNode config = ConfigNode.of(Fixtures.yaml("{kubeconfig: '" + kubeconfig + "', context: dev, "
                + "service_account_namespace_file: '" + dir.resolve("absent") + "'}"), "launch-config.yaml");

        try (KubernetesRunner runner = (KubernetesRunner) provider.create(config, ctx)) {
            assertThat(runner.type()).isEqualTo("kubernetes");
            assertThat(runner.allowedNamespaces()).containsExactly("team-a");
            // Outside a pod with nothing configured, runs land in the context's namespace.
            assertThat(runner.create(Fixtures.imageJob("k3x9p2aa", Fixtures.yaml("{}")), IMAGE).ref().namespace())
                    .isEqualTo("team-a");
        }
        assertThat(new BatchV1Api(cluster.apiClient()).readNamespacedJob("launch-k3x9p2aa", "team-a").execute()
                .getMetadata().getLabels()).containsEntry(Labels.OWNER, "launchkit-agent");
    }

    @Test
    void theProviderNamesABadKeyInItsError() {
        RunnerProvider provider = new KubernetesRunnerProvider();
        ConfigNode config = ConfigNode.of(Fixtures.yaml("{security: strict}"), "launch-config.yaml");

        assertThatThrownBy(() -> provider.create(config, context))
                .isInstanceOf(dev.launchkit.core.ConfigException.class)
                .hasMessageContaining("security: 'strict' is not one of default, restricted");
    }

    private Path kubeconfig(String namespace) throws Exception {
        String url = cluster.url();
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                current-context: prod
                clusters:
                  - name: sim
                    cluster: {server: '%s'}
                contexts:
                  - name: dev
                    context: {cluster: sim, user: dev, namespace: %s}
                  - name: prod
                    context: {cluster: sim, user: dev}
                users:
                  - name: dev
                    user: {token: not-checked-by-the-simulated-server}
                """.formatted(url, namespace));
        return file;
    }

    /** Without empty lists and maps: the client's models fill in empty collections for absent fields. */
    private static com.fasterxml.jackson.databind.JsonNode pruned(com.fasterxml.jackson.databind.JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode out = MAPPER.createObjectNode();
            o.fields().forEachRemaining(e -> {
                com.fasterxml.jackson.databind.JsonNode v = pruned(e.getValue());
                if (!(v.isContainerNode() && v.isEmpty())) {
                    out.set(e.getKey(), v);
                }
            });
            return out;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = MAPPER.createArrayNode();
            node.forEach(e -> out.add(pruned(e)));
            return out;
        }
        return node;
    }

    private static List<ObjectNode> documents(String yaml) throws Exception {
        List<ObjectNode> out = new java.util.ArrayList<>();
        YAMLMapper y = new YAMLMapper();
        try (var parser = y.getFactory().createParser(yaml)) {
            y.readValues(parser, ObjectNode.class).forEachRemaining(out::add);
        }
        return out;
    }

    /** The agent's registry, holding the image, with credentials (ECR-like). */
    private static final class CredentialedRegistry implements Registry {
        @Override
        public String type() {
            return "ecr";
        }

        @Override
        public String repositoryUri() {
            return IMAGE.repositoryUri();
        }

        @Override
        public Optional<RegistryCredentials> credentials() {
            return Optional.of(new RegistryCredentials(IMAGE.registry(), "AWS", "ecr-token-0123456789", Instant.MAX));
        }

        @Override
        public boolean imageExists(String tag) {
            return true;
        }
    }
}
