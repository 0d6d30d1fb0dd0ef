package dev.launchkit.examples.bench;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.examples.reliability.ChildAgent;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.monitor.KubernetesRunMonitor;
import dev.launchkit.k8s.monitor.MonitorSettings;
import io.kubernetes.client.openapi.ApiClient;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent process of the tracking benchmark, so its heap holds the agent only (the simulated cluster's objects live
 * in the parent). Submits {@code n} runs from a memory queue with no job limit; once all are submitted and tracked it
 * prints {@code TRACKING n=.. heap_mb=.. threads=.. watches=.. tracked=..} (heap used after a full GC), then
 * {@code ENDED failed=..} when every run was reported, and waits to be stopped.
 *
 * <p>Arguments: {@code <cluster-url> <n> <namespace> <scenario>}.
 */
public final class TrackingChild {
    private TrackingChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int n = Integer.parseInt(args[1]);
        String namespace = args[2];
        String scenario = args[3];
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "tracking-scheduler");
            t.setDaemon(true);
            return t;
        });
        LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of(), new SecretMasker(),
                new AgentListener() { }, Optional.empty(), Optional.empty());
        ApiClient client = ChildAgent.connect(url);
        KubernetesRunMonitor monitor = KubernetesRunMonitor.builder(client, ctx).owner("launchkit-agent")
                .settings(MonitorSettings.from(ConfigNode.empty("defaults"), ctx)).build();
        KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(client).agentNamespace(namespace)
                .monitor(monitor).build();
        MemoryQueue queue = new MemoryQueue(QueueDefinition.bare("tracking"));
        for (int i = 0; i < n; i++) {
            queue.push(BenchSpecs.spec("t" + i, namespace, scenario));
        }
        AtomicInteger submitted = new AtomicInteger();
        LaunchAgent agent = LaunchAgent.builder().name("tracking").context(ctx).queue(queue).runner(runner)
                .maxJobs(-1).pollWait(Duration.ofMillis(20)).listener(new AgentListener() {
                    @Override
                    public void submitted(Job job, SubmittedRun run) {
                        submitted.incrementAndGet();
                    }
                }).build();
        agent.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while ((submitted.get() < n || monitor.trackedCount() < n) && System.nanoTime() < deadline
                && !allEnded(queue, n)) {
            Thread.sleep(50);
        }
        int tracked = monitor.trackedCount();
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("TRACKING n=%d heap_mb=%.1f threads=%d watches=%d tracked=%d%n", n, heap / 1048576.0,
                ManagementFactory.getThreadMXBean().getThreadCount(), monitor.watchCount(), tracked);
        System.out.flush();
        while (!allEnded(queue, n) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long failed = queue.results().stream().filter(r -> r.state() != ItemState.DONE).count();
        System.out.println("ENDED ended=" + queue.results().stream().filter(r -> r.state().isEnded()).count()
                + " not_done=" + failed);
        System.out.flush();
        agent.awaitStopped();
    }

    private static boolean allEnded(MemoryQueue queue, int n) {
        int ended = 0;
        for (ItemResult r : queue.results()) {
            if (r.state().isEnded()) {
                ended++;
            }
        }
        return ended >= n;
    }
}
