package dev.launchkit.k8s.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.PartialAdoptionException;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.Labels;
import dev.launchkit.k8s.monitor.diagnose.PodDiagnostics;
import dev.launchkit.k8s.monitor.diagnose.PodReader;
import dev.launchkit.k8s.monitor.diagnose.PodReport;
import dev.launchkit.k8s.monitor.status.StatusMappers;
import dev.launchkit.k8s.monitor.watch.SharedWatch;
import dev.launchkit.k8s.monitor.watch.WatchSource;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the objects the Kubernetes runner created, with one shared list-and-watch per (namespace, kind) for the
 * objects and one per namespace for their pods — never a request loop per run — all selected by
 * {@code wandb.ai/monitor=true,launchkit.dev/owner=<owner>}.
 *
 * <p>For each run it maps the object's status ({@link StatusMappers}, per kind), reads its pods for the reasons
 * runs fail or hang ({@link PodDiagnostics}), warns once per problem, streams the leader pod's main log to the
 * run's listeners and keeps the end of every pod's log for failure messages, fails runs stuck in
 * {@code starting} longer than the start timeout, deletes with background propagation on cancel, and after a
 * restart finds the runs whose outcome was not yet reported ({@link #adopt}).
 *
 * <p>A run counts as reported once the agent calls {@link SubmittedRun#markReported()}: the monitor then sets the
 * {@value #REPORTED_ANNOTATION} annotation on the object, and {@link #adopt} skips it from then on.
 *
 * <pre>{@code
 * RunMonitor monitor = KubernetesRunMonitor.builder(apiClient, context)
 *     .owner("launch-agent")                                   // the release / deployment, stable across restarts
 *     .settings(MonitorSettings.from(runnerConfig, context))   // start timeout, log tails, CR kinds to adopt
 *     .statusMappers(StatusMappers.defaults().withConditions(runnerConfig.child("status_conditions")))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. Threads: one per shared watch, small pools for listener calls and API calls, one per log stream
 * (at most {@link MonitorSettings#maxLogStreams()}); start timeouts use the context's scheduler.
 */
public final class KubernetesRunMonitor implements RunMonitor {
    /** The annotation set on an object once its run's outcome was reported to the queue. */
    public static final String REPORTED_ANNOTATION = "launchkit.dev/reported";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRunMonitor.class);
    private static final Duration UNTRACKED_TTL = Duration.ofMinutes(10);
    private static final Duration STREAM_DRAIN = Duration.ofSeconds(2);
    private static final Duration SYNC_WAIT = Duration.ofSeconds(30);
    /**
     * Tries of a request whose failure would change what is reported (the adoption list, the pod read that decides a
     * failed run's outcome, the reported mark), 250 ms apart and doubling (about 4 s in all).
     */
    private static final int DECISIVE_ATTEMPTS = 5;
    private static final Duration DECISIVE_RETRY = Duration.ofMillis(250);

    private final ApiClient client;
    private final LaunchContext context;
    private final String owner;
    private final String selector;
    private final MonitorSettings settings;
    private final StatusMappers mappers;
    private final ObjectMapper json = new ObjectMapper();
    private final PodReader podReader = new PodReader();
    private final ObjectApi objects;
    private final OkHttpClient streamHttp;
    private final ExecutorService callbackPool;
    private final ExecutorService io;
    private final ExecutorService streams;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Map<String, SharedWatch> watches = new ConcurrentHashMap<>();
    private final Map<String, Call> openStreams = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sweeper;
    private volatile boolean closed;

    // Guarded by routing: which run an object or pod belongs to, and what arrived before its run was tracked.
    private final Object routing = new Object();
    private final Map<String, TrackedRun> runs = new HashMap<>();
    private final Map<String, List<TrackedRun>> byName = new HashMap<>();
    private final Map<String, List<TrackedRun>> byRunId = new HashMap<>();
    private final Map<String, Untracked> untrackedObjects = new LinkedHashMap<>();
    private final Map<String, Untracked> untrackedPods = new LinkedHashMap<>();

    /** An object or pod seen before any run claimed it, with when it arrived. */
    private record Untracked(JsonNode object, long receivedNanos) {
    }

    private KubernetesRunMonitor(Builder b) {
        this.client = b.client;
        this.context = b.context;
        this.owner = b.owner;
        this.selector = Labels.MONITOR + "=true," + Labels.OWNER + "=" + b.owner;
        this.settings = b.settings;
        this.mappers = b.mappers;
        this.objects = new ObjectApi(client, json);
        // Log streams are quiet for as long as the training prints nothing: no read timeout; close() cancels them.
        this.streamHttp = client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build();
        this.callbackPool = Executors.newFixedThreadPool(2, threads("launchkit-monitor-listener"));
        this.io = Executors.newFixedThreadPool(4, threads("launchkit-monitor-io"));
        this.streams = new ThreadPoolExecutor(0, Math.max(1, settings.maxLogStreams()), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threads("launchkit-monitor-log"));
        this.sweeper = context.scheduler().scheduleWithFixedDelay(this::sweepUntracked, 1, 1, TimeUnit.MINUTES);
    }

    /** Starts building a monitor that talks to the cluster through {@code client}. */
    public static Builder builder(ApiClient client, LaunchContext context) {
        return new Builder(client, context);
    }

    // ---- RunMonitor ----

    /**
     * Tracks an object just created, or one that already existed (a resubmission that got 409), in any state: a
     * finished object ends the run at once with its outcome. Tracking the same object twice returns the same run.
     */
    @Override
    public SubmittedRun track(KubeObjectRef ref, Job job) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(job, "job");
        return register(ref, job.runId(), job.itemId(), job.queueName(), null);
    }

    /**
     * Lists the labelled objects of every kind ({@code batch/v1} Jobs and {@link MonitorSettings#kinds()}) in the
     * namespaces, and tracks those whose outcome was not reported yet — live ones and finished ones alike. Objects
     * without the queue and item annotations are left alone (they were not created by a LaunchKit runner).
     *
     * @throws dev.launchkit.core.LaunchException when a namespace cannot be listed (RBAC, connectivity)
     */
    @Override
    public List<SubmittedRun> adopt(Set<String> namespaces) {
        List<ResourceKind> kinds = new ArrayList<>();
        kinds.add(ResourceKind.BATCH_JOB);
        settings.kinds().stream().filter(k -> !kinds.contains(k)).forEach(kinds::add);
        List<SubmittedRun> adopted = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        Exception firstFailure = null;
        for (String namespace : namespaces) {
            Map<ResourceKind, JsonNode> lists = new LinkedHashMap<>();
            for (ResourceKind kind : kinds) {
                try {
                    // Retried like the other decisive reads: an unfinished adoption keeps abandoned items taken.
                    lists.put(kind, retryingTransient(() -> objects.list(namespace, kind, selector)));
                } catch (ApiException | IOException e) {
                    // One namespace the agent may not list must not keep it from following the runs elsewhere.
                    unlisted.add(kind.plural() + " in namespace " + namespace + " (" + e.getMessage() + ")");
                    firstFailure = firstFailure == null ? e : firstFailure;
                }
            }
            // Pods before the runs: a run adopted in a terminal state is judged (and its log tails read) at once, with
            // them. Where nothing could be listed there is nothing to judge, so no waiting for a watch that cannot sync.
            ensurePodWatch(namespace, !lists.isEmpty());
            lists.forEach((kind, list) -> {
                for (JsonNode item : list.path("items")) {
                    adoptOne(namespace, kind, item).ifPresent(adopted::add);
                }
            });
            for (ResourceKind kind : kinds) {
                ensureObjectWatch(namespace, kind);
            }
        }
        LOG.info("adopted {} unreported runs in namespaces {}", adopted.size(), namespaces);
        if (!unlisted.isEmpty()) {
            throw new PartialAdoptionException(adopted, "could not list " + String.join(", ", unlisted)
                    + " to adopt the runs of a previous agent; check that the agent may list and watch them there",
                    firstFailure);
        }
        return adopted;
    }

    private java.util.Optional<SubmittedRun> adoptOne(String namespace, ResourceKind kind, JsonNode item) {
        JsonNode meta = item.path("metadata");
        String name = meta.path("name").asText("");
        JsonNode annotations = meta.path("annotations");
        if (annotations.hasNonNull(REPORTED_ANNOTATION)) {
            return java.util.Optional.empty();
        }
        String itemId = annotations.path(Labels.ITEM_ID).asText("");
        String queue = annotations.path(Labels.QUEUE).asText("");
        if (name.isEmpty() || itemId.isEmpty() || queue.isEmpty()) {
            LOG.warn("{} {}/{} is labelled as ours but has no {} / {} annotation; not adopting it", kind.kind(),
                    namespace, name, Labels.QUEUE, Labels.ITEM_ID);
            return java.util.Optional.empty();
        }
        String runId = meta.path("labels").path(Labels.RUN_ID).asText("");
        if (item instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            // Items of a list of built-in kinds come without apiVersion and kind; the status mappers need them.
            o.put("apiVersion", kind.apiVersion()).put("kind", kind.kind());
        }
        KubeObjectRef ref = new KubeObjectRef(namespace, kind.apiVersion(), kind.kind(), kind.plural(), name);
        return java.util.Optional.of(register(ref, runId.isEmpty() ? name : runId, itemId, queue,
                new Untracked(item, System.nanoTime())));
    }

    @Override
    public void close() {
        closed = true;
        sweeper.cancel(false);
        watches.values().forEach(SharedWatch::close);
        watches.clear();
        openStreams.values().forEach(Call::cancel);
        streams.shutdownNow();
        io.shutdownNow();
        callbackPool.shutdown();
    }

    // ---- registration and routing ----

    private TrackedRun register(KubeObjectRef ref, String runId, String itemId, String queue, Untracked known) {
        String key = key(ref.namespace(), ref.apiVersion(), ref.kind(), ref.name());
        TrackedRun run;
        Untracked object;
        List<Untracked> podsSeen = new ArrayList<>();
        synchronized (routing) {
            TrackedRun existing = runs.get(key);
            if (existing != null) {
                return existing;
            }
            run = new TrackedRun(this, ref, runId, itemId, queue);
            runs.put(key, run);
            byName.computeIfAbsent(ref.namespace() + "|" + ref.name(), k -> new ArrayList<>()).add(run);
            byRunId.computeIfAbsent(ref.namespace() + "|" + runId, k -> new ArrayList<>()).add(run);
            object = untrackedObjects.remove(key);
            untrackedPods.entrySet().removeIf(e -> {
                if (belongsTo(e.getValue().object(), run)) {
                    podsSeen.add(e.getValue());
                    return true;
                }
                return false;
            });
        }
        for (Untracked pod : podsSeen) {
            routePod(pod.object(), false, List.of(run));
        }
        Untracked first = newer(object, known);
        if (first != null) {
            run.onObject(first.object(), false, first.receivedNanos());
        }
        ensurePodWatch(ref.namespace(), false);
        ensureObjectWatch(ref.namespace(), ResourceKind.of(ref));
        if (first == null) {
            // A just-created object normally arrives on the watch within milliseconds; one created long ago and
            // finished sends no event at all, so read it if nothing came.
            schedule(() -> confirmIfUnseen(run), settings.confirmAfter());
        }
        return run;
    }

    private static Untracked newer(Untracked a, Untracked b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.receivedNanos() - b.receivedNanos() > 0 ? a : b;
    }

    void forget(TrackedRun run) {
        KubeObjectRef ref = run.ref();
        synchronized (routing) {
            runs.remove(key(ref.namespace(), ref.apiVersion(), ref.kind(), ref.name()), run);
            remove(byName, ref.namespace() + "|" + ref.name(), run);
            remove(byRunId, ref.namespace() + "|" + run.runId(), run);
        }
    }

    private static void remove(Map<String, List<TrackedRun>> index, String key, TrackedRun run) {
        List<TrackedRun> l = index.get(key);
        if (l != null) {
            l.remove(run);
            if (l.isEmpty()) {
                index.remove(key);
            }
        }
    }

    private void confirmIfUnseen(TrackedRun run) {
        if (closed || run.completion().isDone() || run.objectSeenAt() != Long.MIN_VALUE) {
            return;
        }
        confirm(run);
    }

    /** Reads the object directly: after a relist that did not contain it, or when the watch never showed it. */
    private void confirm(TrackedRun run) {
        io().execute(() -> {
            try {
                java.util.Optional<JsonNode> current = objects.get(run.ref());
                if (current.isPresent()) {
                    run.onObject(current.get(), false, System.nanoTime());
                } else {
                    run.onVanished();
                }
            } catch (ApiException | IOException e) {
                LOG.warn("could not read {} for run {}: {}", run.ref(), run.runId(), mask(e.getMessage()));
            }
        });
    }

    private void ensureObjectWatch(String namespace, ResourceKind kind) {
        String key = "obj|" + namespace + "|" + kind.apiVersion() + "|" + kind.plural();
        if (closed || watches.containsKey(key)) {
            return;
        }
        WatchSource source = new WatchSource(namespace, kind.apiVersion(), kind.kind(), kind.plural());
        watches.computeIfAbsent(key, k -> new SharedWatch(client, source, selector, new SharedWatch.Handler() {
            @Override
            public void synced(List<JsonNode> items, long listStartedNanos) {
                onObjectsListed(namespace, kind, items, listStartedNanos);
            }

            @Override
            public void event(String type, JsonNode object) {
                routeObject(namespace, kind, object, type.equals("DELETED"));
            }

            @Override
            public void failing(int failures, String message) {
                watchFailing(namespace, kind.plural(), failures, message);
            }
        }, settings.watchTimeout(), json).start());
    }

    /** Starts the pod watch of a namespace; with {@code awaitSync}, waits until its first list was routed. */
    private void ensurePodWatch(String namespace, boolean awaitSync) {
        String key = "pods|" + namespace;
        if (closed) {
            return;
        }
        SharedWatch watch = watches.computeIfAbsent(key, k -> new SharedWatch(client, WatchSource.pods(namespace),
                selector, new SharedWatch.Handler() {
                    @Override
                    public void synced(List<JsonNode> items, long listStartedNanos) {
                        items.forEach(p -> routePod(p, false, null));
                    }

                    @Override
                    public void event(String type, JsonNode pod) {
                        routePod(pod, type.equals("DELETED"), null);
                    }

                    @Override
                    public void failing(int failures, String message) {
                        watchFailing(namespace, "pods", failures, message);
                    }
                }, settings.watchTimeout(), json).start());
        if (awaitSync) {
            try {
                if (!watch.awaitSynced(SYNC_WAIT)) {
                    LOG.warn("the pod watch of namespace {} has not listed within {}; adopted runs get their pod "
                            + "state when it does", namespace, SYNC_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void routeObject(String namespace, ResourceKind kind, JsonNode object, boolean deleted) {
        String name = object.path("metadata").path("name").asText("");
        String key = key(namespace, kind.apiVersion(), kind.kind(), name);
        TrackedRun run;
        long received = System.nanoTime();
        synchronized (routing) {
            run = runs.get(key);
            if (run == null) {
                if (deleted || object.path("metadata").path("annotations").hasNonNull(REPORTED_ANNOTATION)) {
                    untrackedObjects.remove(key);
                } else {
                    untrackedObjects.put(key, new Untracked(object, received));
                }
            }
        }
        if (run != null) {
            run.onObject(object, deleted, received);
        }
    }

    private void onObjectsListed(String namespace, ResourceKind kind, List<JsonNode> items, long listStartedNanos) {
        Set<String> present = new HashSet<>();
        for (JsonNode item : items) {
            present.add(item.path("metadata").path("name").asText(""));
            routeObject(namespace, kind, item, false);
        }
        List<TrackedRun> missing = new ArrayList<>();
        synchronized (routing) {
            for (TrackedRun run : runs.values()) {
                KubeObjectRef ref = run.ref();
                if (ref.namespace().equals(namespace) && run.kind().equals(kind) && !present.contains(ref.name())) {
                    missing.add(run);
                }
            }
        }
        for (TrackedRun run : missing) {
            long seen = run.objectSeenAt();
            // Seen after the list was requested: the list is simply older than what we know.
            if (seen != Long.MIN_VALUE && seen - listStartedNanos < 0) {
                confirm(run);
            }
        }
    }

    /**
     * Hands a pod to the runs it belongs to ({@code candidates}, or found by its run-id label, its Job's name or its
     * owner), or keeps it until its run is tracked.
     */
    private void routePod(JsonNode pod, boolean deleted, List<TrackedRun> candidates) {
        List<TrackedRun> targets = candidates;
        String podKey = pod.path("metadata").path("namespace").asText("") + "|"
                + pod.path("metadata").path("name").asText("");
        if (targets == null) {
            synchronized (routing) {
                targets = owners(pod);
                if (targets.isEmpty()) {
                    if (deleted) {
                        untrackedPods.remove(podKey);
                    } else {
                        untrackedPods.put(podKey, new Untracked(pod, System.nanoTime()));
                    }
                    return;
                }
            }
        }
        PodReport report;
        try {
            report = PodDiagnostics.diagnose(podReader.read(pod.toString()));
        } catch (RuntimeException e) {
            LOG.warn("could not read pod {}: {}", podKey, e.toString());
            return;
        }
        for (TrackedRun run : targets) {
            run.onPod(report, deleted);
        }
    }

    /** Runs a pod belongs to. Caller holds {@link #routing}. */
    private List<TrackedRun> owners(JsonNode pod) {
        JsonNode meta = pod.path("metadata");
        String ns = meta.path("namespace").asText("");
        JsonNode labels = meta.path("labels");
        String runId = labels.path(Labels.RUN_ID).asText("");
        if (!runId.isEmpty() && byRunId.containsKey(ns + "|" + runId)) {
            return List.copyOf(byRunId.get(ns + "|" + runId));
        }
        String jobName = labels.path("batch.kubernetes.io/job-name").asText(labels.path("job-name").asText(""));
        if (!jobName.isEmpty()) {
            List<TrackedRun> jobs = byName.getOrDefault(ns + "|" + jobName, List.of()).stream()
                    .filter(r -> r.kind().isBatchJob()).toList();
            if (!jobs.isEmpty()) {
                return jobs;
            }
        }
        for (JsonNode owner : meta.path("ownerReferences")) {
            List<TrackedRun> owned = byName.getOrDefault(ns + "|" + owner.path("name").asText(""), List.of()).stream()
                    .filter(r -> r.ref().kind().equals(owner.path("kind").asText())).toList();
            if (!owned.isEmpty()) {
                return owned;
            }
        }
        return List.of();
    }

    private boolean belongsTo(JsonNode pod, TrackedRun run) {
        JsonNode meta = pod.path("metadata");
        if (!meta.path("namespace").asText("").equals(run.ref().namespace())) {
            return false;
        }
        JsonNode labels = meta.path("labels");
        if (run.runId().equals(labels.path(Labels.RUN_ID).asText(null))) {
            return true;
        }
        String name = run.ref().name();
        if (run.kind().isBatchJob() && (name.equals(labels.path("batch.kubernetes.io/job-name").asText(null))
                || name.equals(labels.path("job-name").asText(null)))) {
            return true;
        }
        for (JsonNode owner : meta.path("ownerReferences")) {
            if (name.equals(owner.path("name").asText()) && run.ref().kind().equals(owner.path("kind").asText())) {
                return true;
            }
        }
        return false;
    }

    private void watchFailing(String namespace, String what, int failures, String message) {
        if (failures != 3) {
            return;
        }
        // Tell the affected runs once; a watch that recovers needs no more noise.
        List<TrackedRun> affected;
        synchronized (routing) {
            affected = runs.values().stream().filter(r -> r.ref().namespace().equals(namespace)).toList();
        }
        String warning = "the agent cannot watch " + what + " in namespace " + namespace + " (" + message
                + "); the run's status may lag until it can";
        affected.forEach(r -> r.warning("watch|" + namespace + "|" + what, warning));
        LOG.warn("{} ({} runs affected)", warning, affected.size());
    }

    private void sweepUntracked() {
        long cutoff = System.nanoTime() - UNTRACKED_TTL.toNanos();
        synchronized (routing) {
            untrackedObjects.values().removeIf(u -> u.receivedNanos() - cutoff < 0);
            untrackedPods.values().removeIf(u -> u.receivedNanos() - cutoff < 0);
        }
    }

    private static String key(String namespace, String apiVersion, String kind, String name) {
        int slash = apiVersion.indexOf('/');
        return namespace + "|" + (slash < 0 ? "" : apiVersion.substring(0, slash)) + "|" + kind + "|" + name;
    }

    // ---- services for runs ----

    void markReported(TrackedRun run) {
        String value = run.status().state().wireName() + " " + now();
        try {
            if (!retryingTransient(() -> objects.annotate(run.ref(), REPORTED_ANNOTATION, value))) {
                LOG.debug("{} is already gone; nothing to mark as reported", run.ref());
            }
        } catch (ApiException | IOException e) {
            // At worst a restarted agent adopts and reports this run again; the queue treats that as a repeat.
            LOG.warn("could not mark {} as reported: {}", run.ref(), mask(e.getMessage()));
        }
    }

    /**
     * Reads the run's pods directly: a batch Job's by its {@code job-name} label, other kinds' by the run-id label
     * the runner puts on every pod template. A transient failure is retried: this read decides the run's outcome
     * when the pod watch lagged (an evicted pod makes a failed Job "preempted", an OOMKilled container names the
     * reason), so giving up at the first 503 reported the wrong outcome. Empty when the read keeps failing.
     */
    List<PodReport> readPods(TrackedRun run) {
        String which = run.kind().isBatchJob() ? "job-name=" + run.ref().name() : Labels.RUN_ID + "=" + run.runId();
        try {
            JsonNode list = retryingTransient(() -> objects.listPods(run.ref().namespace(), selector + "," + which));
            List<PodReport> out = new ArrayList<>();
            for (JsonNode pod : list.path("items")) {
                out.add(PodDiagnostics.diagnose(podReader.read(pod.toString())));
            }
            return out;
        } catch (ApiException | IOException | RuntimeException e) {
            LOG.debug("could not re-read the pods of run {}: {}", run.runId(), e.toString());
            return List.of();
        }
    }

    /** A request to the API server. */
    @FunctionalInterface
    private interface ApiCall<T> {
        T call() throws ApiException, IOException;
    }

    /**
     * Makes {@code call}, again after a transient failure (429, 5xx, no answer) up to {@value #DECISIVE_ATTEMPTS}
     * times in all, with a doubling pause; on the caller's thread, which must be one that may wait (never a watch's).
     */
    private <T> T retryingTransient(ApiCall<T> call) throws ApiException, IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (ApiException | IOException e) {
                boolean transientFailure = !(e instanceof ApiException api) || api.getCode() == 0
                        || api.getCode() == 429 || api.getCode() >= 500;
                if (!transientFailure || attempt >= DECISIVE_ATTEMPTS || closed) {
                    throw e;
                }
                try {
                    Thread.sleep(DECISIVE_RETRY.toMillis() << (attempt - 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Fetches the end of a pod's main log into its tail (asynchronously). */
    void fetchTail(TrackedRun run, TrackedRun.PodState pod) {
        io().execute(() -> readTail(run, pod));
    }

    /** Waits briefly for open log streams to end, then fetches the tails that are not complete yet. */
    void collectTails(TrackedRun run, List<TrackedRun.PodState> pods) {
        CompletableFuture<?>[] open = pods.stream().map(p -> p.streamDone).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(open).get(STREAM_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.debug("log streams of run {} still open; reading the tails instead", run.runId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debug("log stream of run {} failed: {}", run.runId(), e.toString());
        }
        for (TrackedRun.PodState pod : pods) {
            if (!pod.tailComplete && pod.report != null && pod.report.mainStarted()) {
                readTail(run, pod);
            }
        }
    }

    private void readTail(TrackedRun run, TrackedRun.PodState pod) {
        PodReport r = pod.report;
        try {
            Call call = objects.podLog(run.ref().namespace(), pod.name, r.mainContainer(), settings.tailLines(), false);
            try (Response response = call.execute()) {
                ResponseBody body = response.body();
                String text = body == null ? "" : body.string();
                if (response.isSuccessful()) {
                    pod.tail.replace(text);
                    pod.tailComplete = r.finished();
                } else if (response.code() != 404) {
                    LOG.debug("no log for pod {} of run {}: HTTP {}", pod.name, run.runId(), response.code());
                }
            }
        } catch (ApiException | IOException e) {
            LOG.debug("could not read the log of pod {} of run {}: {}", pod.name, run.runId(), e.toString());
        }
    }

    /** Starts streaming a pod's main log if a stream slot is free. Never blocks. */
    boolean startStream(TrackedRun run, TrackedRun.PodState pod) {
        if (closed || activeStreams.incrementAndGet() > settings.maxLogStreams()) {
            activeStreams.decrementAndGet();
            return false;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        pod.streamDone = done;
        try {
            streams.execute(() -> {
                boolean normally = false;
                String streamKey = run.ref() + "|" + pod.name;
                try {
                    Call call = streamHttp.newCall(objects.podLog(run.ref().namespace(), pod.name,
                            pod.report.mainContainer(), null, true).request());
                    openStreams.put(streamKey, call);
                    try (Response response = call.execute()) {
                        ResponseBody body = response.body();
                        if (response.isSuccessful() && body != null) {
                            BufferedSource source = body.source();
                            String line;
                            while ((line = source.readUtf8Line()) != null) {
                                run.onLogLine(pod, line);
                            }
                            normally = true;
                        }
                    }
                } catch (ApiException | IOException | RuntimeException e) {
                    LOG.debug("log stream of pod {} ended: {}", pod.name, e.toString());
                } finally {
                    openStreams.remove(streamKey);
                    activeStreams.decrementAndGet();
                    done.complete(null);
                    run.onStreamEnded(pod, normally);
                }
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            activeStreams.decrementAndGet();
            done.complete(null);
            return false;
        }
    }

    /** Stops the log streams of a finished run. */
    void stopStreams(TrackedRun run, List<TrackedRun.PodState> pods) {
        for (TrackedRun.PodState pod : pods) {
            Call call = openStreams.remove(run.ref() + "|" + pod.name);
            if (call != null) {
                call.cancel();
            }
        }
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return context.scheduler().schedule(() -> {
            if (!closed) {
                task.run();
            }
        }, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    Instant now() {
        return context.clock().instant();
    }

    String mask(String text) {
        return text == null ? "" : context.masker().mask(text);
    }

    MonitorSettings settings() {
        return settings;
    }

    StatusMappers mappers() {
        return mappers;
    }

    ObjectApi objects() {
        return objects;
    }

    ExecutorService io() {
        return io;
    }

    ExecutorService callbackPool() {
        return callbackPool;
    }

    /** The label selector of everything this monitor watches. */
    public String selector() {
        return selector;
    }

    /** The owner label value this monitor selects on. */
    public String owner() {
        return owner;
    }

    /** How many shared watches are open (object kinds per namespace, plus one pod watch per namespace). */
    public int watchCount() {
        return watches.size();
    }

    /** How many runs are being followed. */
    public int trackedCount() {
        synchronized (routing) {
            return runs.size();
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds a {@link KubernetesRunMonitor}. */
    public static final class Builder {
        private final ApiClient client;
        private final LaunchContext context;
        private String owner;
        private MonitorSettings settings;
        private StatusMappers mappers = StatusMappers.defaults();

        private Builder(ApiClient client, LaunchContext context) {
            this.client = Objects.requireNonNull(client, "client");
            this.context = Objects.requireNonNull(context, "context");
        }

        /**
         * The value of the {@link Labels#OWNER} label the runner puts on what it creates: the agent deployment
         * (Helm release or configured owner), stable across restarts. Required.
         */
        public Builder owner(String value) {
            this.owner = value;
            return this;
        }

        /** The settings; default {@link MonitorSettings#from} an empty block and the context's environment. */
        public Builder settings(MonitorSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** The status mappers; default {@link StatusMappers#defaults()}. */
        public Builder statusMappers(StatusMappers value) {
            this.mappers = Objects.requireNonNull(value, "statusMappers");
            return this;
        }

        public KubernetesRunMonitor build() {
            if (owner == null || owner.isBlank()) {
                throw new IllegalStateException("the monitor needs the owner label value (the agent deployment's "
                        + "name) to find its runs; call owner(...)");
            }
            if (settings == null) {
                settings = MonitorSettings.from(dev.launchkit.core.ConfigNode.empty("defaults"), context);
            }
            return new KubernetesRunMonitor(this);
        }
    }
}
