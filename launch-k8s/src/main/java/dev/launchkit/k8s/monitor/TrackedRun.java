package dev.launchkit.k8s.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.monitor.diagnose.Finding;
import dev.launchkit.k8s.monitor.diagnose.PodReport;
import dev.launchkit.k8s.monitor.logs.LogTail;
import dev.launchkit.k8s.monitor.status.ObjectStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run the monitor follows: the latest reading of its object and pods, the status derived from them, the
 * warnings already given, the log tails, and the listeners.
 *
 * <p>State changes come from the shared watches, log streams, the start timer and {@link #cancel()}; they are
 * serialised on this object. Listener calls go through a {@link SerialExecutor}, so they are ordered, never
 * concurrent, and never run on a watch thread (a listener may make a network call to the queue).
 */
final class TrackedRun implements SubmittedRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrackedRun.class);
    /** Labels that mark the leader pod of a multi-pod run, whose log is the one worth streaming. */
    private static final Map<String, Set<String>> LEADER_LABELS = Map.of(
            "training.kubeflow.org/replica-type", Set.of("master", "launcher", "chief"),
            "ray.io/node-type", Set.of("head"),
            "training.kubeflow.org/replica-index", Set.of("0"),
            "batch.kubernetes.io/job-completion-index", Set.of("0"));

    private final KubernetesRunMonitor monitor;
    private final KubeObjectRef ref;
    private final ResourceKind kind;
    private final String runId;
    private final String itemId;
    private final String queueName;
    private final SerialExecutor callbacks;
    private final CompletableFuture<RunStatus> completion = new CompletableFuture<>();

    // Guarded by this.
    private final List<RunListener> listeners = new ArrayList<>();
    private final Map<String, PodState> pods = new LinkedHashMap<>();
    private final Set<String> warned = new HashSet<>();
    /** The warnings given so far, for listeners added later (an agent adds its own only after track or adopt). */
    private final List<String> warnings = new ArrayList<>();
    private ObjectStatus objectStatus = ObjectStatus.starting();
    private Instant objectStart;
    private long objectSeenAt = Long.MIN_VALUE;
    private boolean evaluated;
    private RunStatus status;
    private boolean everRunning;
    private boolean ending;
    private ObjectStatus cancelIntent;
    private Instant startingSince;
    private ScheduledFuture<?> startTimer;
    private boolean streaming;
    private boolean reported;

    /** What is known about one pod of the run. */
    static final class PodState {
        final String name;
        final LogTail tail;
        volatile PodReport report;
        volatile boolean streamed;
        volatile boolean tailComplete;
        volatile boolean gone;
        volatile CompletableFuture<Void> streamDone = CompletableFuture.completedFuture(null);

        PodState(String name, int tailBytes) {
            this.name = name;
            this.tail = new LogTail(tailBytes);
        }
    }

    TrackedRun(KubernetesRunMonitor monitor, KubeObjectRef ref, String runId, String itemId, String queueName) {
        this.monitor = monitor;
        this.ref = ref;
        this.kind = ResourceKind.of(ref);
        this.runId = runId;
        this.itemId = itemId;
        this.queueName = queueName;
        this.callbacks = new SerialExecutor(monitor.callbackPool());
        this.status = new RunStatus(RunState.STARTING, "", "", monitor.now());
    }

    KubeObjectRef ref() {
        return ref;
    }

    ResourceKind kind() {
        return kind;
    }

    // ---- SubmittedRun ----

    @Override
    public String id() {
        return ref.toString();
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String itemId() {
        return itemId;
    }

    @Override
    public String queueName() {
        return queueName;
    }

    @Override
    public synchronized RunStatus status() {
        return status;
    }

    @Override
    public CompletableFuture<RunStatus> completion() {
        return completion;
    }

    /**
     * Adds a listener: it first gets the current status and the warnings given so far (the agent adds its listener
     * only after {@code track} or {@code adopt} returned, and an adopted run may have warned already), then every
     * change.
     */
    @Override
    public void addListener(RunListener listener) {
        synchronized (this) {
            RunStatus current = status;
            // A listener added after the end gets the terminal status only (SubmittedRun's contract).
            List<String> given = completion.isDone() ? List.of() : List.copyOf(warnings);
            if (!completion.isDone()) {
                listeners.add(listener);
            }
            callbacks.execute(() -> {
                listener.status(current);
                given.forEach(listener::warning);
            });
        }
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (ending) {
                return;
            }
            if (cancelIntent == null) {
                cancelIntent = new ObjectStatus(RunState.STOPPED, "Cancelled", "the run was cancelled and its "
                        + ref.kind() + " deleted");
            }
        }
        try {
            monitor.objects().delete(ref);
        } catch (Exception e) {
            synchronized (this) {
                if (!ending) {
                    cancelIntent = null;
                }
            }
            throw new LaunchException(Stage.RUN, "could not delete " + ref.kind() + " " + ref.namespace() + "/"
                    + ref.name() + " to cancel run " + runId + ": " + e.getMessage(), e);
        }
        LOG.info("cancelled run {}: deleted {} with background propagation", runId, ref);
        ObjectStatus intent;
        synchronized (this) {
            intent = cancelIntent;
        }
        end(intent, false);
    }

    @Override
    public void markReported() {
        synchronized (this) {
            if (reported) {
                return;
            }
            reported = true;
        }
        monitor.markReported(this);
    }

    @Override
    public String logTail() {
        List<PodState> withLogs;
        synchronized (this) {
            withLogs = pods.values().stream().filter(p -> !p.tail.isEmpty())
                    .sorted(Comparator.comparing((PodState p) -> p.report.failed())
                            .thenComparing(p -> p.report, PodReport.OLDEST_FIRST))
                    .toList();
        }
        if (withLogs.isEmpty()) {
            return "";
        }
        if (withLogs.size() == 1) {
            return monitor.mask(withLogs.get(0).tail.text());
        }
        // The agent quotes the end of this text, so the failed pod, the most telling one, goes last.
        StringBuilder sb = new StringBuilder();
        for (PodState p : withLogs) {
            sb.append("==> pod ").append(p.name).append(p.tail.truncated() ? " (last part)" : "").append(" <==\n")
                    .append(p.tail.text());
        }
        return monitor.mask(sb.toString());
    }

    @Override
    public String toString() {
        return "run " + runId + " (" + ref + ")";
    }

    // ---- events ----

    /**
     * A new reading of the object; {@code deleted} when the watch saw it deleted. A reading that arrived before the
     * last one applied (a cached copy handed over while the watch delivered a newer one) is ignored.
     */
    void onObject(JsonNode object, boolean deleted, long receivedNanos) {
        synchronized (this) {
            if (ending || (objectSeenAt != Long.MIN_VALUE && receivedNanos - objectSeenAt < 0)) {
                return;
            }
            objectSeenAt = receivedNanos;
            objectStart = startOf(object);
            ObjectStatus s = monitor.mappers().map(object);
            if (deleted && !s.isTerminal() && cancelIntent != null) {
                // Our own delete (cancel, start timeout): end as intended, not re-judged from the pods, so a timed-out
                // run is StartTimeout (its message names the pod's problem) whichever of the delete call and
                // the watch event comes first.
                objectStatus = cancelIntent;
                end(cancelIntent, false);
                return;
            }
            if (deleted && !s.isTerminal()) {
                s = deletedStatus();
            }
            objectStatus = s;
            evaluate();
        }
    }

    /** The object no longer exists and its last state was not seen (it vanished while the watch was down). */
    void onVanished() {
        synchronized (this) {
            if (ending) {
                return;
            }
            if (!objectStatus.isTerminal() && cancelIntent != null) {
                objectStatus = cancelIntent;
                end(cancelIntent, false);
                return;
            }
            objectStatus = objectStatus.isTerminal() ? objectStatus : deletedStatus();
            evaluate();
        }
    }

    private ObjectStatus deletedStatus() {
        return ObjectStatus.failed("Deleted", "the " + ref.kind() + " " + ref.namespace() + "/" + ref.name()
                + " was deleted before it finished (by a user, a controller or its TTL)");
    }

    /** When the {@link System#nanoTime()} the object was last seen; {@link Long#MIN_VALUE} when never. */
    synchronized long objectSeenAt() {
        return objectSeenAt;
    }

    /** A new reading of one of the run's pods. */
    void onPod(PodReport report, boolean deleted) {
        synchronized (this) {
            PodState pod = pods.computeIfAbsent(report.name(), n -> new PodState(n, monitor.settings().logTailBytes()));
            pod.report = report;
            pod.gone |= deleted;
            if (ending) {
                return;
            }
            for (Finding f : report.findings()) {
                if (f.warn()) {
                    warn(f);
                }
            }
            if (report.finished() && report.failed() && report.mainStarted() && !pod.tailComplete
                    && pod.streamDone.isDone()) {
                // A failed pod of a Job that retries may be cleaned up before the run ends: keep its log now.
                monitor.fetchTail(this, pod);
            }
            evaluate();
            maybeStream();
        }
    }

    /** A line of the streamed main log. */
    void onLogLine(PodState pod, String line) {
        pod.tail.append(line);
        String masked = monitor.mask(line);
        synchronized (this) {
            if (ending) {
                return;
            }
            List<RunListener> targets = List.copyOf(listeners);
            callbacks.execute(() -> targets.forEach(l -> l.log(masked)));
        }
    }

    /** The log stream of a pod ended. */
    void onStreamEnded(PodState pod, boolean normally) {
        synchronized (this) {
            streaming = false;
            PodReport r = pod.report;
            pod.tailComplete = normally && r != null && r.finished();
            if (!ending) {
                maybeStream();
            }
        }
    }

    /** The start timer fired. */
    void onStartTimer() {
        ObjectStatus intent;
        synchronized (this) {
            startTimer = null;
            if (ending || status.state() != RunState.STARTING || startingSince == null) {
                return;
            }
            Duration limit = monitor.settings().startTimeout();
            Instant due = startingSince.plus(limit);
            Instant now = monitor.now();
            if (now.isBefore(due)) {
                startTimer = monitor.schedule(this::onStartTimer, Duration.between(now, due));
                return;
            }
            String why = status.reason().isEmpty() ? "" : " (" + status.reason()
                    + (status.message().isEmpty() ? "" : ": " + status.message()) + ")";
            cancelIntent = ObjectStatus.failed("StartTimeout", "the run did not start within "
                    + seconds(limit) + why + "; its " + ref.kind() + " was deleted. Raise " + MonitorSettings.START_TIMEOUT_ENV
                    + " (or start_timeout) if runs here legitimately take longer to start");
            intent = cancelIntent;
        }
        LOG.warn("run {} did not start within {}; deleting {}", runId, seconds(monitor.settings().startTimeout()), ref);
        monitor.io().execute(() -> {
            try {
                monitor.objects().delete(ref);
            } catch (Exception e) {
                LOG.warn("could not delete {} after its start timeout: {}", ref, monitor.mask(e.getMessage()));
            }
            end(intent, false);
        });
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    // ---- state ----

    /** Recomputes the status from the object and pods; publishes changes; ends the run on a terminal state. */
    private void evaluate() {
        ObjectStatus v = RunVerdict.decide(objectStatus, reports());
        if (v.isTerminal()) {
            end(v, true);
            return;
        }
        if (v.state() == RunState.QUEUED) {
            everRunning = false;
        } else if (v.state() == RunState.RUNNING) {
            everRunning = true;
        } else if (everRunning) {
            // A run that ran stays "running" while a retry pod starts; W&B shows it as running too.
            v = ObjectStatus.running(v.reason(), v.message());
        }
        boolean first = !evaluated;
        evaluated = true;
        publish(v);
        startTimer(v.state(), first);
    }

    private List<PodReport> reports() {
        return pods.values().stream().map(p -> p.report).toList();
    }

    private void publish(ObjectStatus v) {
        String message = monitor.mask(v.message());
        if (status.state() == v.state() && status.reason().equals(v.reason()) && status.message().equals(message)) {
            return;
        }
        RunStatus next = new RunStatus(v.state(), v.reason(), message, monitor.now());
        status = next;
        LOG.debug("run {}: {}", runId, next);
        List<RunListener> targets = List.copyOf(listeners);
        callbacks.execute(() -> targets.forEach(l -> l.status(next)));
    }

    /** A warning about the run, given once per key. */
    synchronized void warning(String key, String text) {
        if (ending || !warned.add(key)) {
            return;
        }
        String message = monitor.mask(text);
        LOG.info("run {}: {}", runId, message);
        warnings.add(message);
        List<RunListener> targets = List.copyOf(listeners);
        callbacks.execute(() -> targets.forEach(l -> l.warning(message)));
    }

    private void warn(Finding f) {
        if (!warned.add(f.key())) {
            return;
        }
        String message = monitor.mask(f.message());
        LOG.info("run {}: {}", runId, message);
        warnings.add(message);
        List<RunListener> targets = List.copyOf(listeners);
        callbacks.execute(() -> targets.forEach(l -> l.warning(message)));
    }

    private void startTimer(RunState state, boolean first) {
        if (state != RunState.STARTING) {
            startingSince = null;
            if (startTimer != null) {
                startTimer.cancel(false);
                startTimer = null;
            }
            return;
        }
        if (startingSince != null || !monitor.settings().startTimeoutEnabled()) {
            return;
        }
        Instant now = monitor.now();
        // A run found again after a restart has been starting since its object started, not since the agent did;
        // one that was queued (Kueue) starts the clock when it leaves the queue. Object timestamps are truncated to
        // the second, so the object started somewhere in [t, t + 1 s): counting from the end of that second (never
        // later than now) means a just-created run never loses part of a short timeout.
        Instant since = now;
        if (first && objectStart != null) {
            Instant endOfSecond = objectStart.plusSeconds(1);
            since = endOfSecond.isBefore(now) ? endOfSecond : now;
        }
        startingSince = since;
        Duration delay = Duration.between(now, startingSince.plus(monitor.settings().startTimeout()));
        startTimer = monitor.schedule(this::onStartTimer, delay.isNegative() ? Duration.ZERO : delay);
    }

    /** When the object last started: a Job's {@code status.startTime} (reset on resume), else its creation. */
    private static Instant startOf(JsonNode object) {
        Instant created = instant(object.path("metadata").path("creationTimestamp").asText(""));
        Instant started = instant(object.path("status").path("startTime").asText(""));
        if (started != null && (created == null || started.isAfter(created))) {
            return started;
        }
        return created;
    }

    private static Instant instant(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Ends the run: once. A failure first re-reads the run's pods — the pod and object watches are separate
     * streams, so the Job's {@code Failed} can arrive before the pod update that explains it (OOMKilled, a
     * {@code DisruptionTarget}) — and collects every pod's log tail; then listeners and completion.
     *
     * @param fromObject whether the state came from the object and pods (and may be re-judged with fresher pods),
     *                   rather than from a cancel or timeout
     */
    void end(ObjectStatus terminal, boolean fromObject) {
        ObjectStatus object;
        synchronized (this) {
            if (ending) {
                return;
            }
            ending = true;
            object = objectStatus;
            if (startTimer != null) {
                startTimer.cancel(false);
                startTimer = null;
            }
        }
        if (terminal.state() == RunState.FAILED || terminal.state() == RunState.PREEMPTED) {
            monitor.io().execute(() -> {
                ObjectStatus last = terminal;
                if (fromObject) {
                    List<PodReport> fresh = monitor.readPods(this);
                    synchronized (this) {
                        for (PodReport r : fresh) {
                            pods.computeIfAbsent(r.name(), n -> new PodState(n, monitor.settings().logTailBytes()))
                                    .report = r;
                        }
                        if (!fresh.isEmpty()) {
                            last = RunVerdict.decide(object, reports());
                        }
                    }
                }
                monitor.collectTails(this, podStates());
                complete(last);
            });
        } else {
            complete(terminal);
        }
    }

    private synchronized List<PodState> podStates() {
        return new ArrayList<>(pods.values());
    }

    private void complete(ObjectStatus terminal) {
        RunStatus last = new RunStatus(terminal.state(), terminal.reason(), monitor.mask(terminal.message()),
                monitor.now());
        List<RunListener> targets;
        synchronized (this) {
            status = last;
            targets = List.copyOf(listeners);
            listeners.clear();
        }
        LOG.info("run {} ended: {}", runId, last);
        monitor.stopStreams(this, podStates());
        callbacks.execute(() -> {
            targets.forEach(l -> l.status(last));
            completion.complete(last);
        });
        monitor.forget(this);
    }

    /** Starts streaming the leader pod's main log, if streaming is on and nothing of this run streams yet. */
    private void maybeStream() {
        if (streaming || !monitor.settings().followLogs()) {
            return;
        }
        PodState best = null;
        for (PodState p : pods.values()) {
            PodReport r = p.report;
            if (p.streamed || p.gone || r == null || !r.running() || r.mainContainer().isEmpty()) {
                continue;
            }
            if (best == null || better(r, best.report)) {
                best = p;
            }
        }
        if (best != null && monitor.startStream(this, best)) {
            streaming = true;
            best.streamed = true;
        }
    }

    /** The leader pod first; otherwise the newest (a Job's retry replaces the pod that failed). */
    private static boolean better(PodReport a, PodReport b) {
        boolean la = leader(a);
        boolean lb = leader(b);
        if (la != lb) {
            return la;
        }
        return PodReport.OLDEST_FIRST.compare(a, b) > 0;
    }

    private static boolean leader(PodReport r) {
        return LEADER_LABELS.entrySet().stream()
                .anyMatch(e -> e.getValue().contains(r.labels().getOrDefault(e.getKey(), "")));
    }
}
