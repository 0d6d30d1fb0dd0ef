package dev.launchkit.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole path: a queue whose configuration is the seed's Kubernetes Job spec → the agent → the kubernetes
 * runner → the official client → the simulated cluster → the monitor → the queue's record of the item.
 */
class KubernetesAgentEndToEndTest {
    private static final String API_KEY = "e2e-secret-api-key-31415";
    private SimulatedCluster cluster;
    private LaunchAgent agent;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = SimulatedCluster.start();
        cluster.createNamespace("wandb");
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.stop(Duration.ofSeconds(5));
        }
        cluster.close();
    }

    private static ObjectNode seedQueueConfig() throws Exception {
        try (InputStream in = KubernetesAgentEndToEndTest.class.getResourceAsStream("/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            return (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    private MemoryQueue startAgentOn(ObjectNode queueConfig) {
        MemoryQueue queue = new MemoryQueue(QueueDefinition.of("k8s-test", "kubernetes", queueConfig));
        LaunchContext ctx = LaunchContext.basic(Map.of("WANDB_API_KEY", API_KEY));
        KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace("wandb").build();
        agent = LaunchAgent.builder().context(ctx).queue(queue).runner(runner).maxJobs(-1)
                .pollWait(Duration.ofMillis(50)).build();
        agent.start();
        return queue;
    }

    private static ItemResult awaitEnd(MemoryQueue queue, String item) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ItemResult> r = queue.result(item);
            if (r.isPresent() && r.get().state().isEnded()) {
                return r.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("item " + item + " did not end: " + queue.result(item));
    }

    private static LaunchSpec spec(String runId) {
        return LaunchSpec.parse("{\"entity\":\"team\",\"project\":\"vision\",\"run_id\":\"" + runId + "\","
                + "\"docker\":{\"docker_image\":\"python:3.11\"}}");
    }

    @Test
    void seedQueueJobRunsToSucceededInTheSimulatedCluster() throws Exception {
        MemoryQueue queue = startAgentOn(seedQueueConfig());
        String item = queue.push(spec("okrun1"));

        ItemResult result = awaitEnd(queue, item);
        assertThat(result.state()).as(result.toString()).isEqualTo(ItemState.DONE);

        V1Job job = new BatchV1Api(cluster.apiClient()).listNamespacedJob("wandb").labelSelector("wandb.ai/run-id=okrun1")
                .execute().getItems().get(0);
        assertThat(job.getMetadata().getLabels()).containsEntry("queue", "k8s-test");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(60);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anyMatch(e -> e.getName().equals("MY_ENV_VAR"))
                .noneMatch(e -> API_KEY.equals(e.getValue()));
        assertThat(new CoreV1Api(cluster.apiClient()).readNamespacedSecret("wandb-api-key-okrun1", "wandb").execute()
                .getMetadata().getOwnerReferences()).extracting(r -> r.getName()).containsExactly(job.getMetadata().getName());
    }

    @Test
    void oomKilledRunFailsItsItemAtStageRunWithTheReason() throws Exception {
        ObjectNode config = seedQueueConfig();
        ((ObjectNode) config.path("spec").path("template")).putObject("metadata").putObject("annotations")
                .put(SimulatedCluster.SCENARIO_ANNOTATION, "oom");
        MemoryQueue queue = startAgentOn(config);
        String item = queue.push(spec("oomrun1"));

        ItemResult result = awaitEnd(queue, item);
        assertThat(result.state()).isEqualTo(ItemState.FAILED);
        assertThat(result.stage()).hasValueSatisfying(s -> assertThat(s.wireName()).isEqualTo("run"));
        assertThat(result.message()).contains("OOMKilled").doesNotContain(API_KEY);
    }
}
