package dev.launchkit.examples.reliability;

import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A reliability workload on a directory queue: {@code runs} items whose simulated pods succeed, or (every fifth)
 * fail, and the check of what became of them, counted from the cluster (Jobs per item) and the queue (reports).
 */
public final class Workload {
    /** The annotation the kubernetes runner puts the queue item id in. */
    static final String ITEM_ANNOTATION = "launchkit.dev/item-id";

    private final DirectoryQueues queues;
    private final String queue;
    private final String namespace;
    private final Map<String, ItemState> expected = new LinkedHashMap<>();
    /** Text the item's recorded message must contain (the reason the run ended), for items that have one. */
    private final Map<String, String> expectedReason = new HashMap<>();

    /**
     * One kind of run in a mixed workload: the simulated scenario, the terminal state its item must end in and, when
     * the queue records one, text its message must contain (e.g. {@code OOMKilled}); empty for none.
     */
    public record Case(String scenario, ItemState state, String reason) {
    }

    /** What became of the workload. */
    public record Outcome(int runs, int ended, int lost, int duplicated, int wrongOutcome, int doubleReports,
                          int jobs, java.util.List<String> problems) {
        /** Every run reached exactly one true terminal report, none lost, none submitted twice. */
        public boolean clean() {
            return ended == runs && lost == 0 && duplicated == 0 && wrongOutcome == 0 && doubleReports == 0;
        }
    }

    public Workload(Path root, String queue, String namespace) {
        this.queues = new DirectoryQueues(root);
        this.queue = queue;
        this.namespace = namespace;
        queues.upsert(QueueDefinition.bare(queue));
    }

    /** Pushes {@code runs} items; item {@code i} fails when {@code i % 5 == 4}, else succeeds. */
    public Workload push(int runs) {
        for (int i = 0; i < runs; i++) {
            boolean fail = i % 5 == 4;
            String id = queues.push(queue, spec("r" + i, fail ? "fail" : "succeed"), Priority.MEDIUM, Map.of());
            expected.put(id, fail ? ItemState.FAILED : ItemState.DONE);
        }
        return this;
    }

    /** Pushes {@code runs} items cycling through {@code cases} (item {@code i} is case {@code i % cases.size()}). */
    public Workload push(int runs, java.util.List<Case> cases) {
        for (int i = 0; i < runs; i++) {
            Case c = cases.get(i % cases.size());
            String id = queues.push(queue, spec("r" + i, c.scenario()), Priority.MEDIUM, Map.of());
            expected.put(id, c.state());
            if (!c.reason().isEmpty()) {
                expectedReason.put(id, c.reason());
            }
        }
        return this;
    }

    LaunchSpec spec(String name, String scenario) {
        return LaunchSpec.parse("{\"entity\":\"rel\",\"project\":\"rel\",\"name\":\"" + name + "\","
                + "\"resource\":\"kubernetes\",\"docker\":{\"docker_image\":\"python:3.11\"},"
                + "\"resource_args\":{\"kubernetes\":{\"metadata\":{\"namespace\":\"" + namespace + "\"},"
                + "\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + SimulatedCluster.SCENARIO_ANNOTATION
                + "\":\"" + scenario + "\"}}}}}}}");
    }

    public DirectoryQueues queues() {
        return queues;
    }

    public String queue() {
        return queue;
    }

    public Path root() {
        return queues.root();
    }

    /** The ids of the items this workload pushed. */
    public java.util.Set<String> itemIds() {
        return java.util.Set.copyOf(expected.keySet());
    }

    public int size() {
        return expected.size();
    }

    /**
     * How many items have ended: moved to {@code done/} or {@code failed/}. A terminal result still in
     * {@code running/} does not count: the agent writes it before the move, and may be killed in between.
     */
    public int ended() {
        Path dir = root().resolve(queue);
        int n = 0;
        for (String id : expected.keySet()) {
            if (Files.exists(dir.resolve("done").resolve(id)) || Files.exists(dir.resolve("failed").resolve(id))) {
                n++;
            }
        }
        return n;
    }

    /** Jobs per item id, as the cluster has them. */
    public Map<String, Integer> jobsPerItem(ApiClient client) throws ApiException {
        Map<String, Integer> jobs = new HashMap<>();
        for (V1Job j : new BatchV1Api(client).listNamespacedJob(namespace).execute().getItems()) {
            Map<String, String> a = j.getMetadata().getAnnotations();
            String item = a == null ? null : a.get(ITEM_ANNOTATION);
            if (item != null) {
                jobs.merge(item, 1, Integer::sum);
            }
        }
        return jobs;
    }

    /** Counts lost, duplicated and wrongly reported runs. */
    public Outcome verify(ApiClient client) throws ApiException {
        return verify(jobsPerItem(client));
    }

    /** Counts lost, duplicated and wrongly reported runs, given the Jobs created per item id. */
    public Outcome verify(Map<String, Integer> jobs) {
        int ended = 0;
        int lost = 0;
        int duplicated = 0;
        int wrong = 0;
        int doubleReports = 0;
        Path dir = root().resolve(queue);
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (Map.Entry<String, ItemState> e : expected.entrySet()) {
            String id = e.getKey();
            Optional<ItemResult> r = queues.status(queue, id);
            boolean isEnded = r.isPresent() && r.get().state().isEnded();
            int inDone = Files.exists(dir.resolve("done").resolve(id)) ? 1 : 0;
            int inFailed = Files.exists(dir.resolve("failed").resolve(id)) ? 1 : 0;
            int inOpen = Files.exists(dir.resolve("pending").resolve(id))
                    || Files.exists(dir.resolve("running").resolve(id)) ? 1 : 0;
            int j = jobs.getOrDefault(id, 0);
            String where = id + " (done " + inDone + ", failed " + inFailed + ", open " + inOpen + ", jobs " + j
                    + ", result " + r.map(x -> x.state() + " run " + x.runId().orElse("-")).orElse("none") + ")";
            if (isEnded && inDone + inFailed == 1 && inOpen == 0) {
                ended++;
            } else if (inDone + inFailed + inOpen > 1) {
                doubleReports++;
                problems.add("reported twice: " + where);
            } else {
                lost++;
                problems.add("lost: " + where);
            }
            if (j > 1) {
                duplicated++;
                problems.add("submitted twice: " + where);
            } else if (j == 0 && isEnded) {
                wrong++; // ended without ever running: a report no run backs
                problems.add("ended without a run: " + where);
            }
            String reason = expectedReason.getOrDefault(id, "");
            if (isEnded && r.get().state() != e.getValue()) {
                wrong++;
                problems.add("wrong outcome, expected " + e.getValue() + ": " + where);
            } else if (isEnded && !r.get().message().contains(reason)) {
                wrong++;
                problems.add("wrong reason, expected '" + reason + "' in '" + r.get().message() + "': " + where);
            }
        }
        // Only the workload's own items: resume items the agent pushed for preempted runs have Jobs of their own.
        int total = expected.keySet().stream().mapToInt(id -> jobs.getOrDefault(id, 0)).sum();
        return new Outcome(expected.size(), ended, lost, duplicated, wrong, doubleReports, total, problems);
    }
}
