package dev.launchkit.examples.bench;

import dev.launchkit.examples.reliability.ChildJvm;
import dev.launchkit.examples.reliability.ClusterGateway;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tracking: {@code n} concurrent runs, submitted and followed by an agent in a child JVM ({@link TrackingChild}) so
 * that its heap holds the agent alone, against the simulated cluster in this JVM. The simulated pods move one phase per
 * step, and the step grows with {@code n} so that every run is still live when the last is submitted. Figures: the
 * agent's heap after GC, live threads and watch connections at that moment, and API requests per run over the runs'
 * whole lives (submit, watch, log tail, report).
 */
public final class TrackingBench {
    private TrackingBench() {
    }

    /** Runs {@code n} runs through their lives and adds the row. */
    public static void run(int n, Path work, Figures figures) throws Exception {
        Duration step = Duration.ofMillis(Math.max(1000, Math.min(120_000, n * 8L)));
        try (SimulatedCluster cluster = SimulatedCluster.start(step);
             ClusterGateway gateway = ClusterGateway.start(cluster)) {
            cluster.createNamespace("bench");
            Path log = work.resolve("tracking-" + n + ".log");
            String heap = n > 2000 ? "1g" : "512m";
            Process p = ChildJvm.start(TrackingChild.class, heap, log, gateway.url(), Integer.toString(n), "bench",
                    "succeed");
            try {
                Duration timeout = Duration.ofMinutes(15);
                String tracking = ChildJvm.awaitLine(p, log, "TRACKING", timeout).orElseThrow(() ->
                        new IllegalStateException("the tracking agent did not report its figures; see " + log));
                int openWatches = cluster.openWatchCount();
                String ended = ChildJvm.awaitLine(p, log, "ENDED", timeout).orElseThrow(() ->
                        new IllegalStateException("the tracking agent's runs did not all end; see " + log));
                long requests = cluster.requestCount();
                Map<String, String> t = fields(tracking);
                Map<String, String> e = fields(ended);
                String row = "tracking " + n + " runs";
                figures.put(row, "runs", n)
                        .put(row, "tracked_at_once", Integer.parseInt(t.get("tracked")))
                        .put(row, "heap_after_gc_mb", Double.parseDouble(t.get("heap_mb")))
                        .put(row, "threads", Integer.parseInt(t.get("threads")))
                        .put(row, "watches", Integer.parseInt(t.get("watches")))
                        .put(row, "watch_connections", openWatches)
                        .put(row, "requests_per_run", (double) requests / n)
                        .put(row, "not_done", Integer.parseInt(e.get("not_done")))
                        .put(row, "target", "heap<=256MB watches!=f(n) requests<=4");
            } finally {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }
}
