package dev.launchkit.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import java.io.InputStream;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent demo}: the agent on its embedded defaults with nothing installed. It writes a
 * launch-config.yaml for a directory queue, pushes sample jobs (one that succeeds, one whose process fails, one the
 * agent must refuse), runs the agent built from that config through the local-process runner, and prints each
 * lifecycle and the queue's final record of every item.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run sample jobs through the agent on its embedded defaults and print each lifecycle.")
final class DemoCommand implements Callable<Integer> {
    /** Held so the level set on it sticks: the mock API server logs every request through java.util.logging. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8");
    @Option(names = "--dir", description = "Folder for the demo's config and queue (default: a new temporary folder).")
    Path dir;
    @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for every sample to end.")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (System.getProperty("LAUNCHKIT_LOG_LEVEL") == null && System.getenv("LAUNCHKIT_LOG_LEVEL") == null) {
            System.setProperty("LAUNCHKIT_LOG_LEVEL", "WARN"); // the demo prints lifecycles itself
        }
        PrintStream out = System.out;
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("launchkit-demo");
        Path config = root.resolve("launch-config.yaml");
        Files.writeString(config, "entity: demo-team\n"
                + "queues: [demo]\n"
                + "max_jobs: -1\n"
                + "default_resource: local-process\n"
                + "builder:\n  type: noop\n"
                + "queue_backend:\n  type: directory\n  path: " + root.resolve("queues") + "\n  poll_wait_ms: 50\n");
        DirectoryQueues queues = new DirectoryQueues(root.resolve("queues"));
        queues.upsert(QueueDefinition.bare("demo"));
        Map<String, String> samples = new LinkedHashMap<>();
        samples.put(queues.push("demo", sample("train-ok",
                "echo loading data; echo epoch 1 loss=0.91; echo epoch 2 loss=0.42; echo saved model"), Priority.MEDIUM,
                Map.of()), "train-ok: should succeed");
        samples.put(queues.push("demo", sample("train-crash",
                "echo loading data; echo 'Traceback (most recent call last):' >&2; "
                        + "echo 'ValueError: learning rate must be positive' >&2; exit 3"), Priority.MEDIUM, Map.of()),
                "train-crash: should fail with exit code 3");
        samples.put(queues.push("demo", sample("wrong-resource", "true").with("resource", "sagemaker"), Priority.LOW,
                Map.of()), "wrong-resource: should be refused by the agent");
        out.println("LaunchKit demo: config " + config + ", queue folder " + root.resolve("queues").resolve("demo"));
        samples.forEach((id, what) -> out.println("  pushed item " + id + " — " + what));

        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-scheduler");
            t.setDaemon(true);
            return t;
        });
        LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of("HOME", root.toString()),
                new SecretMasker(), new ConsoleListener(out, true), Optional.empty(), Optional.empty());
        LaunchConfig cfg = LaunchConfig.load(config, ctx.env());
        boolean allEnded;
        try (LaunchAgent agent = LaunchAgent.fromConfig(cfg, ctx)) {
            agent.start();
            allEnded = awaitEnded(queues, samples.keySet(), Duration.ofSeconds(timeoutSeconds));
        } finally {
            scheduler.shutdownNow();
        }
        out.println();
        out.println("What the queue recorded:");
        for (String id : samples.keySet()) {
            Optional<ItemResult> r = queues.status("demo", id);
            out.println("  " + id + ": " + r.map(DemoCommand::describe).orElse("no result"));
        }
        boolean clusterOk = kubernetesPhase(out);
        return allEnded && clusterOk ? 0 : 1;
    }

    /**
     * The same agent code against the in-process simulated cluster: a queue whose configuration is the seed's
     * Kubernetes Job spec, one run that succeeds and one whose container is OOMKilled.
     */
    private boolean kubernetesPhase(PrintStream out) throws Exception {
        out.println();
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        out.println("Kubernetes: the seed's queue config on an in-process simulated cluster (official client over HTTP)");
        ObjectNode seed;
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            seed = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        MemoryQueue queue = new MemoryQueue(QueueDefinition.of("k8s-test", "kubernetes", seed));
        String ok = queue.push(k8sSample("k8s-ok", "succeed"));
        String oom = queue.push(k8sSample("k8s-oom", "oom"));
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            cluster.createNamespace("wandb");
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "demo-k8s-scheduler");
                t.setDaemon(true);
                return t;
            });
            LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of("WANDB_API_KEY", "demo-api-key-not-real"),
                    new SecretMasker(), new ConsoleListener(out, false), Optional.empty(), Optional.empty());
            KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace("wandb").build();
            try (LaunchAgent agent = LaunchAgent.builder().context(ctx).queue(queue).runner(runner).maxJobs(-1)
                    .listener(ctx.listener()).pollWait(Duration.ofMillis(50)).build()) {
                agent.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
                while (System.nanoTime() < deadline && !(ended(queue, ok) && ended(queue, oom))) {
                    Thread.sleep(50);
                }
            } finally {
                scheduler.shutdownNow();
            }
            out.println();
            out.println("What the queue recorded:");
            for (String id : new String[] {ok, oom}) {
                out.println("  " + id + ": " + queue.result(id).map(DemoCommand::describe).orElse("no result"));
            }
            out.println("API requests the agent made: " + cluster.requestCount());
        }
        return ended(queue, ok) && ended(queue, oom);
    }

    private static boolean ended(MemoryQueue queue, String id) {
        return queue.result(id).map(r -> r.state().isEnded()).orElse(false);
    }

    private static LaunchSpec k8sSample(String name, String scenario) {
        return LaunchSpec.parse("{\"entity\":\"demo-team\",\"project\":\"demo\",\"name\":\"" + name + "\","
                + "\"docker\":{\"docker_image\":\"python:3.11\"},\"resource_args\":{\"kubernetes\":{\"metadata\":"
                + "{\"namespace\":\"wandb\",\"labels\":{\"queue\":\"k8s-test\"}},\"spec\":{\"template\":{\"metadata\":"
                + "{\"annotations\":{\"" + SimulatedCluster.SCENARIO_ANNOTATION + "\":\"" + scenario + "\"}}}}}}}");
    }

    private static String describe(ItemResult r) {
        String stage = r.stage().map(s -> " at stage " + s.wireName()).orElse("");
        String message = r.message().isBlank() ? "" : " — " + r.message().lines().findFirst().orElse("");
        return r.state().wireName() + stage + message;
    }

    private static LaunchSpec sample(String name, String script) {
        return LaunchSpec.parse("{\"entity\":\"demo-team\",\"project\":\"demo\",\"name\":\"" + name + "\","
                + "\"resource\":\"local-process\",\"docker\":{\"docker_image\":\"python:3.11\"},"
                + "\"overrides\":{\"entry_point\":[\"sh\",\"-c\"],\"args\":[" + quote(script) + "],"
                + "\"run_config\":{\"lr\":0.01}}}");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static boolean awaitEnded(DirectoryQueues queues, Iterable<String> ids, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (String id : ids) {
                all &= queues.status("demo", id).map(r -> r.state().isEnded()).orElse(false);
            }
            if (all) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

}
