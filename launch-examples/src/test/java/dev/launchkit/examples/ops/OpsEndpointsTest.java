package dev.launchkit.examples.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's Prometheus, liveness and readiness endpoints over HTTP, with metrics fed by a real agent running jobs
 * on the simulated cluster.
 */
class OpsEndpointsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private SimulatedCluster cluster;
    private LaunchAgent agent;
    private OpsServer ops;

    @AfterEach
    void stop() {
        if (ops != null) {
            ops.close();
        }
        if (agent != null) {
            agent.stop(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode seedQueueConfig(String scenario) throws Exception {
        try (InputStream in = OpsEndpointsTest.class.getResourceAsStream("/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            ObjectNode config = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
            ((ObjectNode) config.path("spec").path("template")).putObject("metadata").putObject("annotations")
                    .put(SimulatedCluster.SCENARIO_ANNOTATION, scenario);
            return config;
        }
    }

    private static void await(java.util.concurrent.Callable<Boolean> done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void metricsCountPollsItemsSubmissionsAndRunsByStateAndProbesFollowTheAgent() throws Exception {
        cluster = SimulatedCluster.start();
        cluster.createNamespace("wandb");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MemoryQueue ok = new MemoryQueue(QueueDefinition.of("ok-queue", "kubernetes", seedQueueConfig("succeed")));
        MemoryQueue oom = new MemoryQueue(QueueDefinition.of("oom-queue", "kubernetes", seedQueueConfig("oom")));
        LaunchContext ctx = LaunchContext.basic(Map.of("WANDB_API_KEY", "ops-test-key-2718"));
        KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace("wandb")
                .build();
        agent = LaunchAgent.builder().context(ctx).queue(ok).queue(oom).runner(runner).maxJobs(-1)
                .pollWait(Duration.ofMillis(50)).listener(new AgentMetrics(registry)).build();
        ops = new OpsServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry,
                () -> !agent.isStopping());
        agent.start();
        String spec = "{\"entity\":\"team\",\"project\":\"vision\",\"docker\":{\"docker_image\":\"python:3.11\"}}";
        List<String> items = List.of(ok.push(LaunchSpec.parse(spec)), oom.push(LaunchSpec.parse(spec)));
        await(() -> ok.result(items.get(0)).map(r -> r.state().isEnded()).orElse(false)
                && oom.result(items.get(1)).map(r -> r.state().isEnded()).orElse(false), "both items to end");
        await(() -> get("/metrics").body().contains("launch_agent_runs_finished_total{state=\"failed\"} 1.0"),
                "the failed run to be counted");

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("launch_agent_queue_polls_total{queue=\"ok-queue\",result=\"item\"} 1.0")
                .contains("launch_agent_queue_polls_total{queue=\"oom-queue\",result=\"item\"} 1.0")
                .containsPattern("launch_agent_queue_polls_total\\{queue=\"ok-queue\",result=\"empty\"} [1-9]")
                .contains("launch_agent_items_received_total 2.0")
                .contains("launch_agent_submit_latency_seconds_count 2")
                .contains("launch_agent_runs_finished_total{state=\"succeeded\"} 1.0")
                .contains("launch_agent_runs{state=\"running\"} 0.0")
                .doesNotContain("ops-test-key-2718");

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        agent.stop(Duration.ofSeconds(5));
        HttpResponse<String> notReady = get("/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("not ready");
        assertThat(get("/healthz").statusCode()).as("alive while stopping").isEqualTo(200);
    }
}
