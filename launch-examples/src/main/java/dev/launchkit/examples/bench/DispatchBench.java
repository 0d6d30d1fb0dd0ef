package dev.launchkit.examples.bench;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Dispatch throughput: submissions per second of the agent's whole path (memory queue → ack → render → create with the
 * official client → track; no job limit) against the official client alone creating the same rendered Jobs from a
 * pool of {@code threads} threads, against the same in-process API server in the same run. The kubelet simulator is idle (a
 * ten-minute step), so both measure the API path only. The figure to watch is the ratio, not the rates.
 */
public final class DispatchBench {
    private static final String IMAGE = "python:3.11";

    private DispatchBench() {
    }

    /** Measures {@code jobs} submissions each way (after a warm-up of a tenth as many) and adds the row. */
    public static void run(int jobs, int threads, Figures figures) throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start(Duration.ofMinutes(10))) {
            for (String ns : List.of("agent-warm", "agent", "raw-warm", "raw")) {
                cluster.createNamespace(ns);
            }
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
            LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of(), new SecretMasker(),
                    new AgentListener() { }, Optional.empty(), Optional.empty());
            try {
                int warm = Math.max(10, jobs / 10);
                raw(cluster, ctx, "raw-warm", warm, threads);
                agent(cluster, ctx, "agent-warm", warm);
                double rawRate = raw(cluster, ctx, "raw", jobs, threads);
                double agentRate = agent(cluster, ctx, "agent", jobs);
                String row = "dispatch";
                figures.put(row, "jobs", jobs).put(row, "raw_threads", threads)
                        .put(row, "agent_per_s", agentRate).put(row, "raw_client_per_s", rawRate)
                        .put(row, "ratio", agentRate / rawRate).put(row, "target_ratio", 0.8);
            } finally {
                scheduler.shutdownNow();
            }
        }
    }

    /** The official client alone: pre-rendered Jobs created by {@code threads} threads; returns Jobs per second. */
    private static double raw(SimulatedCluster cluster, LaunchContext ctx, String ns, int n, int threads)
            throws Exception {
        KubernetesRunner renderer = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace(ns)
                .build();
        MemoryQueue source = new MemoryQueue(QueueDefinition.bare("raw"));
        List<V1Job> rendered = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            source.push(BenchSpecs.spec(ns + "r" + i, ns, "succeed"));
            Job job = source.poll(Duration.ZERO).orElseThrow();
            rendered.add(renderer.render(job, ImageRef.parse(IMAGE)).batchJob().orElseThrow());
        }
        BatchV1Api api = new BatchV1Api(cluster.apiClient());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (V1Job j : rendered) {
                done.add(pool.submit(() -> api.createNamespacedJob(ns, j).execute()));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
            renderer.close();
        }
    }

    /** The agent's path, every job admitted at once; returns submissions per second. */
    private static double agent(SimulatedCluster cluster, LaunchContext ctx, String ns, int n)
            throws Exception {
        MemoryQueue queue = new MemoryQueue(QueueDefinition.bare(ns));
        for (int i = 0; i < n; i++) {
            queue.push(BenchSpecs.spec(ns + "r" + i, ns, "succeed"));
        }
        CountDownLatch submitted = new CountDownLatch(n);
        KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(cluster.apiClient()).agentNamespace(ns)
                .build();
        try (LaunchAgent agent = LaunchAgent.builder().name("bench-" + ns).context(ctx).queue(queue).runner(runner)
                .maxJobs(-1).pollWait(Duration.ofMillis(5)).listener(new AgentListener() {
                    @Override
                    public void submitted(Job job, SubmittedRun run) {
                        submitted.countDown();
                    }
                }).build()) {
            long t0 = System.nanoTime();
            agent.start();
            if (!submitted.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the agent submitted " + (n - submitted.getCount()) + " of " + n
                        + " jobs in 120 s");
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
