package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueJobs;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.Yaml;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
    private static final String SPEC = "{\"entity\":\"team\",\"project\":\"vision\",\"run_id\":\"rend01\","
            + "\"docker\":{\"docker_image\":\"python:3.11\"},\"_wandb_api_key\":\"sk-render-secret-777\"}";

    record Result(int code, String out, String err) { }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = LaunchAgentCli.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    private static Path seedQueue(Path dir) throws Exception {
        Path file = dir.resolve("queue.yaml");
        try (InputStream in = RenderCommandTest.class.getResourceAsStream("/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void rendersExactlyWhatTheRunnerSubmitsWithSecretsMasked(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
        Path queue = seedQueue(dir);
        Result r = run("render", "--spec", spec.toString(), "--queue-config", queue.toString(), "--allow-namespace", "wandb");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("sk-render-secret-777");

        List<Object> rendered = Yaml.loadAll(r.out());
        V1Job renderedJob = rendered.stream().filter(V1Job.class::isInstance).map(V1Job.class::cast).findFirst().orElseThrow();
        assertThat(rendered).anyMatch(V1Secret.class::isInstance);

        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            LaunchContext ctx = LaunchContext.basic(Map.of());
            KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace("default")
                    .config(dev.launchkit.core.ConfigNode.of(new ObjectMapper().readTree(
                            "{\"additional_target_namespaces\":[\"wandb\"]}"), "test")).build();
            ObjectNode queueConfig = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(queue.toFile());
            LaunchSpec merged = QueueDefinition.of("render", "kubernetes", queueConfig).merge(LaunchSpec.parse(SPEC), Map.of()).spec();
            Job job = QueueJobs.create("render", "render", "team", merged, "", new Random(), Map.of());
            runner.create(job, ImageRef.parse("python:3.11"));
            V1Job submitted = new BatchV1Api(cluster.apiClient()).readNamespacedJob("launch-rend01", "wandb").execute();
            assertThat(submitted.getSpec().getTemplate().getSpec()).isEqualTo(renderedJob.getSpec().getTemplate().getSpec());
            assertThat(submitted.getMetadata().getLabels()).isEqualTo(renderedJob.getMetadata().getLabels());
            runner.close();
        }
    }

    @Test
    void namespaceOutsideTheAllowListIsRefusedWithExitCode2(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
        Result r = run("render", "--spec", spec.toString(), "--queue-config", seedQueue(dir).toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("refused").contains("wandb");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void brokenQueueConfigIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
        Path queue = Files.writeString(dir.resolve("q.yaml"), "metadata:\n\tnamespace: wandb\n");
        Result r = run("render", "--spec", spec.toString(), "--queue-config", queue.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("q.yaml:2").contains("tab");
    }
}
