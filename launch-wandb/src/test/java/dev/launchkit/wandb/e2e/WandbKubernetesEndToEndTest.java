package dev.launchkit.wandb.e2e;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static dev.launchkit.wandb.WandbTestSupport.await;
import static dev.launchkit.wandb.WandbTestSupport.fastBackend;
import static dev.launchkit.wandb.WandbTestSupport.imageSpec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.wandb.WandbTestSupport;
import dev.launchkit.wandb.queue.WandbQueueProvider;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drop-in path: the fake W&B server holds queue k8s-test whose config is the seed's Kubernetes Job spec; an
 * agent configured by a launch-config.yaml with {@code queues: [k8s-test]} registers, pops, acks, submits through the
 * kubernetes runner to the simulated cluster, sees the run finish, and the server records the Python agent's sequence.
 */
class WandbKubernetesEndToEndTest {
    private final FakeWandbServer server = FakeWandbServer.start();
    private final SimulatedCluster cluster = SimulatedCluster.start();
    @TempDir
    Path downloads;
    private LaunchAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        cluster.close();
        server.close();
    }

    @Test
    void seedQueueRunsOnTheSimulatedClusterWithThePythonAgentsCallSequence() throws Exception {
        server.addTeam(TEAM);
        server.createQueueFromYaml(TEAM, "k8s-test", "kubernetes", seed());
        server.initRunsOnAck(true);
        String item = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        cluster.createNamespace("wandb");

        ObjectNode backend = fastBackend(downloads);
        StringBuilder yaml = new StringBuilder("entity: " + TEAM + "\nqueues:\n  - k8s-test\nmax_jobs: 10\nbuilder:\n  type: noop\n"
                + "queue_backend:\n");
        backend.fields().forEachRemaining(e -> yaml.append("  ").append(e.getKey()).append(": \"")
                .append(e.getValue().asText()).append("\"\n"));
        LaunchContext ctx = WandbTestSupport.context(server);
        LaunchConfig config = LaunchConfig.parse(yaml.toString(), "launch-config.yaml", ctx.env());

        List<Queue> queues = new WandbQueueProvider().createAll(config.queues(), config.entity().orElseThrow(),
                config.queueBackend(), config.toAgentConfigJson(Set.of()), ctx);
        KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace("wandb").build();
        agent = LaunchAgent.builder().name("e2e").context(ctx).queues(queues).runner(runner).maxJobs(config.maxJobs())
                .pollWait(Duration.ofMillis(50)).build();
        agent.start();

        await("the Job in the cluster", Duration.ofSeconds(20), () -> jobs().size() == 1);
        await("the run to finish and be checked", Duration.ofSeconds(20),
                () -> !server.calls("RunState").isEmpty() && agent.activeJobs() == 0);
        agent.close();

        V1Job job = jobs().get(0);
        assertThat(job.getMetadata().getLabels()).containsEntry("queue", "k8s-test")
                .containsEntry("wandb.ai/run-id", server.item(item).orElseThrow().associatedRunId());
        assertThat(job.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Complete"));
        assertThat(server.item(item).orElseThrow().state()).isEqualTo("CLAIMED");
        assertThat(server.operationsWithoutIdlePolling()).containsSubsequence("Viewer", "ProjectRunQueues",
                "createLaunchAgent", "EntityIsTeam", "LaunchAgent", "popFromRunQueue", "updateLaunchAgent",
                "ackRunQueueItem", "RunState");
        assertThat(server.agents().get(0).statuses()).startsWith("RUNNING").endsWith("KILLED");
        assertThat(server.calls()).allSatisfy(c -> assertThat(c.body()).doesNotContain(server.apiKey()));
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .noneMatch(e -> server.apiKey().equals(e.getValue()));
    }

    private static String seed() throws java.io.IOException {
        try (java.io.InputStream in = WandbKubernetesEndToEndTest.class.getResourceAsStream(
                "/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private List<V1Job> jobs() {
        try {
            return new BatchV1Api(cluster.apiClient()).listNamespacedJob("wandb").execute().getItems();
        } catch (io.kubernetes.client.openapi.ApiException e) {
            throw new AssertionError(e);
        }
    }
}
