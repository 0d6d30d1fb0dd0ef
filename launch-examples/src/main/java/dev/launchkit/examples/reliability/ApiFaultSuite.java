package dev.launchkit.examples.reliability;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.FaultCounts;
import dev.launchkit.testkit.cluster.Faults;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * API faults: one in-process agent (directory queue → render → create Job → watch → report) works through a mixed
 * workload while the simulated cluster answers a share of its requests with 500/503/504/429 (503 and 429 with
 * {@code Retry-After}), ends every open watch every few seconds, and answers resumed watches with 410 Gone. On top,
 * a share of Job creates is stored by the server but answered 504 on the way back (a response lost after the write),
 * so the submitter's retry meets its own earlier Job. When every item has a terminal report the faults stop and the
 * suite counts what became of each run: its true terminal state and reason, exactly one Job, exactly one report.
 */
public final class ApiFaultSuite {
    private static final String NAMESPACE = "wandb";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String AGENT = "faults";
    /** How long reports are watched after the last one arrived, so a late second report would be seen. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    /**
     * The mix of runs: each scenario with the terminal state and recorded reason its item must end with. Evicted and
     * preempted pods are replaced and the replacement succeeds (backoffLimit allows it), so those runs end DONE.
     */
    public static final List<Workload.Case> MIX = List.of(
            new Workload.Case("succeed", ItemState.DONE, ""),
            new Workload.Case("fail", ItemState.FAILED, "exited with code 1"),
            new Workload.Case("oom", ItemState.FAILED, "OOMKilled"),
            new Workload.Case("slow-start", ItemState.DONE, ""),
            new Workload.Case("deadline-exceeded", ItemState.FAILED, "DeadlineExceeded"),
            new Workload.Case("evicted", ItemState.DONE, "TerminationByKubelet"),
            new Workload.Case("succeed", ItemState.DONE, ""),
            new Workload.Case("preempted", ItemState.DONE, "PreemptionByScheduler"));

    /**
     * Suite size and fault mix.
     *
     * @param runs             items in the workload
     * @param maxJobs          the agent's max_jobs
     * @param errorRate        share of requests answered with an error status
     * @param dropWatchesEvery how often every open watch is ended
     * @param lostCreateRate   share of stored Job creates whose response is replaced by a 504
     * @param step             the simulated pods' step
     * @param finish           how long the workload may take before the suite gives up
     * @param seed             seed of the fault choices
     */
    public record Settings(int runs, int maxJobs, double errorRate, Duration dropWatchesEvery, double lostCreateRate,
                           Duration step, Duration finish, long seed) {
        public static Settings full() {
            return new Settings(500, 16, 0.10, Duration.ofMillis(2500), 0.05, Duration.ofMillis(100),
                    Duration.ofMinutes(10), 11L);
        }

        public static Settings quick() {
            // Slower pods and a shorter drop period than the full run, so even a lucky seed sees watches dropped.
            return new Settings(60, 16, 0.10, Duration.ofSeconds(2), 0.10, Duration.ofMillis(150),
                    Duration.ofMinutes(4), 11L);
        }

        public Settings withSeed(long value) {
            return new Settings(runs, maxJobs, errorRate, dropWatchesEvery, lostCreateRate, step, finish, value);
        }

        public Settings withRuns(int value) {
            return new Settings(value, maxJobs, errorRate, dropWatchesEvery, lostCreateRate, step, finish, seed);
        }
    }

    /**
     * What the suite saw.
     *
     * @param outcome             what became of the runs
     * @param faults              what the cluster injected
     * @param lostCreateResponses Job creates stored but answered 504
     * @param repeatedReports     workload items the agent reported terminal more than once (counted at the queue's
     *                            interface, so a repeat the queue ignores still counts)
     * @param reportCalls         terminal reports the agent made for workload items in all (one per item when right)
     * @param crashes             1 when the agent's poll loop died or the agent stopped on its own, else 0
     * @param seconds             wall time
     */
    public record Result(Workload.Outcome outcome, FaultCounts faults, long lostCreateResponses,
                         int repeatedReports, int reportCalls, int crashes, double seconds) {
        public long faults5xx() {
            return faults.statuses().entrySet().stream().filter(e -> e.getKey() >= 500)
                    .mapToLong(Map.Entry::getValue).sum();
        }

        public long faults429() {
            return faults.statuses().getOrDefault(429, 0L);
        }

        /** Clean runs, no crash, and every kind of fault actually injected (so a pass is not vacuous). */
        public boolean clean() {
            return outcome.clean() && repeatedReports == 0 && reportCalls == outcome.runs() && crashes == 0 && faults5xx() > 0 && faults429() > 0
                    && faults.droppedWatches() > 0 && faults.expiredWatches() > 0 && lostCreateResponses > 0;
        }
    }

    private ApiFaultSuite() {
    }

    public static Result run(Settings s, Path work) throws Exception {
        long started = System.nanoTime();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "api-fault-agent-scheduler");
            t.setDaemon(true);
            return t;
        });
        try (SimulatedCluster cluster = SimulatedCluster.start(s.step())) {
            cluster.createNamespace(NAMESPACE);
            Workload w = new Workload(work.resolve("queues"), "faults", NAMESPACE).push(s.runs(), MIX);
            LostCreates lost = new LostCreates(s.lostCreateRate(), s.seed());
            ApiClient client = new ApiClient().setBasePath(cluster.url());
            client.setHttpClient(cluster.apiClient().getHttpClient().newBuilder().addInterceptor(lost).build());
            LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of(), new SecretMasker(),
                    new AgentListener() { }, Optional.empty(), Optional.empty());
            KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(client).agentNamespace(NAMESPACE)
                    .build();
            cluster.injectFaults(Faults.builder().errorRate(s.errorRate()).statuses(500, 503, 504, 429)
                    .dropWatchesEvery(s.dropWatchesEvery()).goneOnResume(true).seed(s.seed()).build());
            int crashes = 0;
            // The agent closes the runner (its monitor and watches) when it stops, before the cluster goes away, so
            // no watch thread outlives the suite.
            ReportCountingQueue queue = new ReportCountingQueue(w.queues().open(w.queue()));
            try (LaunchAgent agent = LaunchAgent.builder().name(AGENT).context(ctx).queue(queue)
                    .runner(runner).closeOnStop(runner).maxJobs(s.maxJobs()).pollWait(Duration.ofMillis(50))
                    .build()) {
                agent.start();
                long deadline = System.nanoTime() + s.finish().toNanos();
                while (w.ended() < w.size() && pollLoopAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                lost.stop();
                cluster.clearFaults();
                // Watch a little longer: a second report of an item would come now, not before its first.
                long settle = System.nanoTime() + SETTLE.toNanos();
                while (pollLoopAlive() && System.nanoTime() < settle) {
                    Thread.sleep(100);
                }
                if (!pollLoopAlive() || agent.isStopping()) {
                    crashes++;
                }
                Workload.Outcome outcome = w.verify(lost.created());
                Map<String, Integer> reports = queue.reports();
                int repeated = (int) w.itemIds().stream().filter(id -> reports.getOrDefault(id, 0) > 1).count();
                int calls = w.itemIds().stream().mapToInt(id -> reports.getOrDefault(id, 0)).sum();
                return new Result(outcome, cluster.faultCounts(), lost.count(), repeated, calls, crashes,
                        (System.nanoTime() - started) / 1e9);
            }
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** Whether the agent's poll thread still runs (it is the agent: when it dies nothing more is taken). */
    private static boolean pollLoopAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("launch-agent-" + AGENT + "-poll") && t.isAlive());
    }

    /**
     * Counts the Jobs the API server stored per queue item (from the 201 answers to creates: finished Jobs are
     * garbage-collected after their TTL, so a list at the end would miss them), and lets the API server store a share of Job creates and then answers the client 504 Timeout, as when a response
     * is lost after the write (the server "may still be processing the request"). Runs in the client's call chain,
     * after the real request went over HTTP to the cluster.
     */
    static final class LostCreates implements Interceptor {
        private final double rate;
        private final Random random;
        private final AtomicLong count = new AtomicLong();
        private final Map<String, Integer> created = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile boolean active = true;

        LostCreates(double rate, long seed) {
            this.rate = rate;
            this.random = new Random(seed);
        }

        @Override
        public Response intercept(Chain chain) throws IOException {
            Response response = chain.proceed(chain.request());
            boolean createJob = "POST".equals(chain.request().method())
                    && chain.request().url().encodedPath().endsWith("/jobs");
            if (!createJob || response.code() != 201) {
                return response;
            }
            String body = response.peekBody(Long.MAX_VALUE).string();
            String item = JSON.readTree(body).path("metadata").path("annotations").path(Workload.ITEM_ANNOTATION)
                    .asText("");
            if (!item.isEmpty()) {
                created.merge(item, 1, Integer::sum);
            }
            if (!active || !lose()) {
                return response;
            }
            response.close();
            count.incrementAndGet();
            String status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                    + "\"message\":\"the server was unable to return a response in the time allotted, but may still "
                    + "be processing the request\",\"reason\":\"Timeout\",\"code\":504}";
            return new Response.Builder().request(chain.request()).protocol(Protocol.HTTP_1_1).code(504)
                    .message("Gateway Timeout")
                    .body(ResponseBody.create(status, MediaType.get("application/json"))).build();
        }

        private synchronized boolean lose() {
            return random.nextDouble() < rate;
        }

        void stop() {
            active = false;
        }

        long count() {
            return count.get();
        }

        Map<String, Integer> created() {
            return Map.copyOf(created);
        }
    }
}
