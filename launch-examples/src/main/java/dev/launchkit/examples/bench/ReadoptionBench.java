package dev.launchkit.examples.bench;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.monitor.KubernetesRunMonitor;
import dev.launchkit.k8s.monitor.MonitorSettings;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Re-adoption: an agent submits {@code n} runs that never end and stops (leaving them, as on a restart); a new agent
 * with a new runner and monitor then starts. The figure is the time from the new agent's {@code start()} until it
 * follows all {@code n} runs again, measured as {@code start()} (which lists and registers them) plus the wait until
 * its monitor tracks them all.
 */
public final class ReadoptionBench {
    private ReadoptionBench() {
    }

    public static void run(int n, Figures figures) throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start(Duration.ofMillis(200))) {
            cluster.createNamespace("bench");
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
            LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of(), new SecretMasker(),
                    new AgentListener() { }, Optional.empty(), Optional.empty());
            try {
                MemoryQueue queue = new MemoryQueue(QueueDefinition.bare("adopt"));
                for (int i = 0; i < n; i++) {
                    queue.push(BenchSpecs.spec("a" + i, "bench", "run-forever"));
                }
                CountDownLatch submitted = new CountDownLatch(n);
                KubernetesRunMonitor before = monitor(cluster, ctx);
                try (LaunchAgent first = LaunchAgent.builder().name("first").context(ctx).queue(queue)
                        .runner(runner(cluster, ctx, before)).maxJobs(-1).pollWait(Duration.ofMillis(5))
                        .listener(new AgentListener() {
                            @Override
                            public void submitted(Job job, SubmittedRun run) {
                                submitted.countDown();
                            }
                        }).build()) {
                    first.start();
                    if (!submitted.await(5, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("only " + (n - submitted.getCount()) + " of " + n
                                + " runs were submitted");
                    }
                } finally {
                    before.close(); // the old agent is gone: its watches with it
                }
                KubernetesRunMonitor monitor = monitor(cluster, ctx);
                MemoryQueue same = new MemoryQueue(QueueDefinition.bare("adopt"));
                try (LaunchAgent second = LaunchAgent.builder().name("second").context(ctx).queue(same)
                        .runner(runner(cluster, ctx, monitor)).maxJobs(-1).pollWait(Duration.ofMillis(5)).build()) {
                    long t0 = System.nanoTime();
                    second.start();
                    long started = System.nanoTime();
                    long deadline = t0 + Duration.ofMinutes(2).toNanos();
                    while (monitor.trackedCount() < n && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    long all = System.nanoTime();
                    String row = "re-adoption " + n + " runs";
                    figures.put(row, "runs", n).put(row, "adopted", monitor.trackedCount())
                            .put(row, "start_ms", (started - t0) / 1e6).put(row, "all_tracked_ms", (all - t0) / 1e6)
                            .put(row, "target_ms", 2000);
                } finally {
                    monitor.close(); // given to the runner, so not the runner's to close; its watches end here
                }
            } finally {
                scheduler.shutdownNow();
            }
        }
    }

    private static KubernetesRunMonitor monitor(SimulatedCluster cluster, LaunchContext ctx) {
        return KubernetesRunMonitor.builder(cluster.apiClient(), ctx).owner("launchkit-agent")
                .settings(MonitorSettings.from(ConfigNode.empty("defaults"), ctx)).build();
    }

    private static KubernetesRunner runner(SimulatedCluster cluster, LaunchContext ctx, KubernetesRunMonitor monitor) {
        return KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace("bench").monitor(monitor)
                .build();
    }
}
