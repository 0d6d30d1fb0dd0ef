package dev.launchkit.examples.reliability;

import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kill/restart: agent processes (child JVMs running {@link ChildAgent}) work through a directory-queue workload against
 * a simulated cluster that lives in this process, and are killed ({@code destroyForcibly}, SIGKILL) at random moments;
 * a last one finishes the work. Then every run must have exactly one terminal report matching what its pods did, and
 * exactly one Job: none lost, none submitted twice. At each kill the items in flight are classified by how far they
 * got (taken, acked, submitted) to show where the kills landed.
 */
public final class KillRestartSuite {
    private static final String NAMESPACE = "wandb";

    /** Suite size and pacing. */
    public record Settings(int runs, int kills, int maxJobs, Duration maxKillDelay, Duration step, Duration finish,
                           long seed) {
        public static Settings full() {
            return new Settings(500, 20, 16, Duration.ofMillis(2500), Duration.ofMillis(100), Duration.ofMinutes(5), 9L);
        }

        public Settings withSeed(long value) {
            return new Settings(runs, kills, maxJobs, maxKillDelay, step, finish, value);
        }

        public static Settings quick() {
            return new Settings(60, 3, 8, Duration.ofMillis(1500), Duration.ofMillis(100), Duration.ofMinutes(2), 9L);
        }
    }

    /** What the suite saw. */
    public record Result(Workload.Outcome outcome, int kills, int crashes, Map<String, Integer> killPoints,
                         double seconds) {
    }

    private KillRestartSuite() {
    }

    public static Result run(Settings s, Path work) throws Exception {
        long started = System.nanoTime();
        Random random = new Random(s.seed());
        Map<String, Integer> points = new LinkedHashMap<>();
        points.put("taken", 0);
        points.put("acked", 0);
        points.put("submitted", 0);
        int crashes = 0;
        int kills = 0;
        try (SimulatedCluster cluster = SimulatedCluster.start(s.step());
             ClusterGateway gateway = ClusterGateway.start(cluster)) {
            cluster.createNamespace(NAMESPACE);
            try (JobLedger ledger = JobLedger.start(cluster.apiClient(), NAMESPACE)) {
                Workload w = new Workload(work.resolve("queues"), "rel", NAMESPACE).push(s.runs());
                for (int i = 0; i <= s.kills(); i++) {
                    boolean last = i == s.kills();
                    Path log = work.resolve("agent-" + i + ".log");
                    Process p = ChildJvm.start(ChildAgent.class, "256m", "INFO", log, gateway.url(), w.root().toString(),
                            w.queue(), NAMESPACE, Integer.toString(s.maxJobs()));
                    try {
                        if (ChildJvm.awaitLine(p, log, "STARTED", Duration.ofSeconds(60)).isEmpty()) {
                            crashes++;
                            continue;
                        }
                        if (last) {
                            long deadline = System.nanoTime() + s.finish().toNanos();
                            while (w.ended() < w.size() && p.isAlive() && System.nanoTime() < deadline) {
                                Thread.sleep(100);
                            }
                            if (!p.isAlive()) {
                                crashes++;
                            }
                            break;
                        }
                        // Half the kills wait for the agent's first submission, so runs are also killed while watched,
                        // not only while a cold agent JVM is still taking and acking its first items.
                        if (random.nextBoolean()) {
                            ChildJvm.awaitLogged(p, log, "created Job", Duration.ofSeconds(30));
                        }
                        Thread.sleep((long) (random.nextDouble() * s.maxKillDelay().toMillis()));
                        if (!p.isAlive()) {
                            crashes++;
                            continue;
                        }
                        classify(w, cluster, points);
                        p.destroyForcibly();
                        kills++;
                    } finally {
                        p.destroyForcibly();
                        p.waitFor(30, TimeUnit.SECONDS);
                    }
                }
                Workload.Outcome outcome = w.verify(ledger.jobsPerItem());
                return new Result(outcome, kills, crashes, points, (System.nanoTime() - started) / 1e9);
            }
        }
    }

    /** How far the items in flight got when the kill came: taken (no ack), acked (no Job yet), submitted. */
    private static void classify(Workload w, SimulatedCluster cluster, Map<String, Integer> points)
            throws IOException, ApiException {
        Path running = w.root().resolve(w.queue()).resolve("running");
        List<String> items;
        try (Stream<Path> files = Files.list(running)) {
            items = files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.endsWith(".result.json")).toList();
        }
        Map<String, Integer> jobs = w.jobsPerItem(cluster.apiClient());
        for (String item : items) {
            Optional<String> runId = w.queues().status(w.queue(), item).flatMap(r -> r.runId());
            String point = jobs.containsKey(item) ? "submitted" : runId.isPresent() ? "acked" : "taken";
            points.merge(point, 1, Integer::sum);
        }
    }
}
