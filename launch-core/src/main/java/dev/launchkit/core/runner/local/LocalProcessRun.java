package dev.launchkit.core.runner.local;

import dev.launchkit.core.Job;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.SubmittedRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process started by {@link LocalProcessRunner}: its output goes line by line to listeners (secrets masked) and
 * into a bounded tail; its exit code becomes the terminal status (0 succeeded, anything else failed with
 * {@code exit code N}); {@link #cancel} ends the whole process tree and reports stopped.
 *
 * <p>Thread-safe. Listeners are called from the run's own threads, one call at a time.
 */
public final class LocalProcessRun implements SubmittedRun {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessRun.class);
    /** How long the exit waits for the rest of the output (a background child may hold the pipe open). */
    private static final long OUTPUT_DRAIN_MILLIS = 2_000;
    private static final int MAX_LINE_CHARS = 4_000;

    private final Job job;
    private final Process process;
    private final SecretMasker masker;
    private final Clock clock;
    private final int tailLines;
    private final Duration cancelGrace;
    private final ScheduledExecutorService scheduler;
    private final Object dispatch = new Object();
    private final List<RunListener> listeners = new ArrayList<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<RunStatus> completion = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Set<ProcessHandle> tree = new LinkedHashSet<>();
    private volatile RunStatus status;

    LocalProcessRun(Job job, Process process, SecretMasker masker, Clock clock, int tailLines, Duration cancelGrace,
                    ScheduledExecutorService scheduler) {
        this.job = job;
        this.process = process;
        this.masker = masker;
        this.clock = clock;
        this.tailLines = tailLines;
        this.cancelGrace = cancelGrace;
        this.scheduler = scheduler;
        this.status = new RunStatus(RunState.RUNNING, "Started", "process " + process.pid(), clock.instant());
    }

    /** Starts the threads that read the output and wait for the exit. */
    void follow() {
        Thread reader = new Thread(this::readOutput, "local-process-" + job.runId() + "-output");
        reader.setDaemon(true);
        reader.start();
        Thread waiter = new Thread(() -> awaitExit(reader), "local-process-" + job.runId() + "-exit");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                line(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "…" : line);
            }
        } catch (IOException e) {
            LOG.debug("output of run {} ended: {}", job.runId(), e.toString());
        }
    }

    private void awaitExit(Thread reader) {
        int code;
        try {
            code = process.waitFor();
            reader.join(OUTPUT_DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        RunStatus end;
        if (cancelled.get()) {
            end = new RunStatus(RunState.STOPPED, "Cancelled", "the process was stopped (exit code " + code + ")",
                    clock.instant());
        } else if (code == 0) {
            end = new RunStatus(RunState.SUCCEEDED, "Completed", "exit code 0", clock.instant());
        } else {
            String signal = code > 128 && code < 160 ? " (killed by signal " + (code - 128) + ")" : "";
            end = new RunStatus(RunState.FAILED, "Error", "exit code " + code + signal, clock.instant());
        }
        publish(end);
    }

    private void line(String raw) {
        String masked = masker.mask(raw);
        // Tail and listeners change together, so a listener added meanwhile sees each line exactly once.
        synchronized (dispatch) {
            tail.addLast(masked);
            while (tail.size() > tailLines) {
                tail.removeFirst();
            }
            if (status.isTerminal()) {
                return; // output of a lingering background child: kept in the tail, not sent after the end
            }
            for (RunListener l : listeners) {
                try {
                    l.log(masked);
                } catch (RuntimeException e) {
                    LOG.warn("a listener of run {} failed on a log line: {}", job.runId(), e.toString());
                }
            }
        }
    }

    private void publish(RunStatus s) {
        synchronized (dispatch) {
            if (status.isTerminal()) {
                return;
            }
            status = s;
            for (RunListener l : listeners) {
                try {
                    l.status(s);
                } catch (RuntimeException e) {
                    LOG.warn("a listener of run {} failed on a status: {}", job.runId(), e.toString());
                }
            }
        }
        if (s.isTerminal()) {
            completion.complete(s);
        }
    }

    /** The process id. */
    @Override
    public String id() {
        return Long.toString(process.pid());
    }

    @Override
    public String runId() {
        return job.runId();
    }

    @Override
    public String itemId() {
        return job.itemId();
    }

    @Override
    public String queueName() {
        return job.queueName();
    }

    @Override
    public RunStatus status() {
        return status;
    }

    @Override
    public CompletableFuture<RunStatus> completion() {
        return completion;
    }

    /**
     * Adds a listener. It receives the current status (unless the run has ended), then the output so far (the last
     * {@code logTailLines} lines, since a short process may finish before anyone listens), then every later line and
     * status; the terminal status always comes last, exactly once.
     */
    @Override
    public void addListener(RunListener listener) {
        synchronized (dispatch) {
            RunStatus now = status;
            if (!now.isTerminal()) {
                listener.status(now);
            }
            for (String line : tail) {
                listener.log(line);
            }
            listeners.add(listener);
            if (now.isTerminal()) {
                listener.status(now);
            }
        }
    }

    /**
     * Sends SIGTERM to the process and every descendant, then SIGKILL to what is still alive after the grace period.
     * The descendants are collected before the parent is signalled, since once it dies they are no longer its
     * descendants.
     */
    @Override
    public void cancel() {
        if (completion.isDone() || !cancelled.compareAndSet(false, true)) {
            return;
        }
        LOG.info("stopping run {} (process {} and its descendants)", job.runId(), process.pid());
        signalTree(false);
        try {
            scheduler.schedule(() -> signalTree(true), cancelGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            signalTree(true);
        }
    }

    /** Kills the tree at once (agent shutdown). */
    void kill() {
        cancelled.compareAndSet(false, true);
        signalTree(true);
    }

    private void signalTree(boolean force) {
        synchronized (tree) {
            process.descendants().forEach(tree::add);
            tree.add(process.toHandle());
            for (ProcessHandle h : tree) {
                if (h.isAlive()) {
                    if (force) {
                        h.destroyForcibly();
                    } else {
                        h.destroy();
                    }
                }
            }
        }
    }

    /** The last output lines (stdout and stderr interleaved), secrets masked. */
    @Override
    public String logTail() {
        synchronized (dispatch) {
            return String.join("\n", tail);
        }
    }

    @Override
    public String toString() {
        return "local process " + process.pid() + " (run " + job.runId() + ")";
    }
}
