package dev.launchkit.k8s.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.render.Fixtures;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Test support: a simulated cluster plus the real {@link KubernetesRunner} and {@link KubernetesRunMonitor} on it,
 * talking through the official client over HTTP. Runs are the seed queue's Job with the simulator's scenario
 * annotation on the pod template; everything else about them is edited per test.
 */
final class SimulatedRuns implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NAMESPACE = "wandb";

    final SimulatedCluster cluster;
    final LaunchContext context = LaunchContext.basic(Fixtures.AGENT_ENV);
    private final List<KubernetesRunner> runners = new ArrayList<>();
    private final String runnerConfig;

    /**
     * @param step         how long each simulated pod phase lasts
     * @param runnerConfig extra keys of the {@code runners.kubernetes} block, YAML flow style without braces
     */
    SimulatedRuns(Duration step, String runnerConfig) {
        this.cluster = SimulatedCluster.start(step);
        this.runnerConfig = runnerConfig;
    }

    SimulatedRuns() {
        this(Duration.ofMillis(20), "");
    }

    /** A new runner (with its own monitor) of the same agent deployment. */
    KubernetesRunner runner() {
        return runner(cluster.apiClient());
    }

    /** A new runner (with its own monitor) talking through {@code client}, e.g. one with a fault interceptor. */
    KubernetesRunner runner(io.kubernetes.client.openapi.ApiClient client) {
        String yaml = "{owner: launch, agent_name: agent-7f3c, additional_target_namespaces: [default]"
                + (runnerConfig.isBlank() ? "" : ", " + runnerConfig) + "}";
        KubernetesRunner r = KubernetesRunner.builder(context)
                .config(ConfigNode.of(Fixtures.yaml(yaml), "launch-config.yaml"))
                .apiClient(client).agentNamespace(NAMESPACE).build();
        synchronized (runners) {
            runners.add(r);
        }
        return r;
    }

    /** The seed queue's Job whose pods play {@code scenario}. */
    static Job job(String runId, String scenario) {
        return job(runId, scenario, Map.of(), c -> { });
    }

    /**
     * The seed queue's Job whose pods play {@code scenario}, with more pod-template annotations and any other edit
     * of the resource args ({@code spec.backoffLimit}, labels, ...).
     */
    static Job job(String runId, String scenario, Map<String, String> podAnnotations, Consumer<ObjectNode> edit) {
        ObjectNode config = Fixtures.seedQueueConfig();
        ObjectNode annotations = ((ObjectNode) config.at("/spec/template")).putObject("metadata")
                .putObject("annotations");
        annotations.put(SimulatedCluster.SCENARIO_ANNOTATION, scenario);
        podAnnotations.forEach(annotations::put);
        edit.accept(config);
        return Fixtures.imageJob(runId, config);
    }

    static RunStatus end(SubmittedRun run) throws Exception {
        return run.completion().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Polls {@code condition} until it holds or {@link #TIMEOUT} passes; then fails with {@code what}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Everything a run told its listeners. */
    static final class Recording implements RunListener {
        final List<RunStatus> statuses = new CopyOnWriteArrayList<>();
        final List<String> warnings = new CopyOnWriteArrayList<>();
        final List<String> logs = new CopyOnWriteArrayList<>();

        static Recording of(SubmittedRun run) {
            Recording r = new Recording();
            run.addListener(r);
            return r;
        }

        @Override
        public void status(RunStatus status) {
            statuses.add(status);
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }

        @Override
        public void log(String line) {
            logs.add(line);
        }
    }

    /** Stops the cluster (which tolerates the mock server's own stop timeout), then the runners. */
    @Override
    public void close() {
        cluster.close();
        synchronized (runners) {
            runners.forEach(KubernetesRunner::close);
        }
        context.scheduler().shutdownNow();
    }
}
