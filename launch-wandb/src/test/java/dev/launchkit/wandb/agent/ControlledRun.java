package dev.launchkit.wandb.agent;

import dev.launchkit.core.Job;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A run whose life the test drives: warnings and the terminal status come when the test says so. */
final class ControlledRun implements SubmittedRun {
    private final Job job;
    private final List<RunListener> listeners = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final CompletableFuture<RunStatus> completion = new CompletableFuture<>();
    private volatile RunStatus status = RunStatus.of(RunState.RUNNING);
    private volatile boolean cancelled;

    ControlledRun(Job job) {
        this.job = job;
    }

    Job job() {
        return job;
    }

    boolean cancelled() {
        return cancelled;
    }

    synchronized void warn(String message) {
        warnings.add(message);
        listeners.forEach(l -> l.warning(message));
    }

    synchronized void finish(RunStatus terminal) {
        if (completion.isDone()) {
            return;
        }
        status = terminal;
        listeners.forEach(l -> l.status(terminal));
        completion.complete(terminal);
    }

    @Override
    public String id() {
        return "test/" + job.runId();
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

    /** A late listener gets the warnings so far, then the current status (a run may race ahead of its agent). */
    @Override
    public synchronized void addListener(RunListener listener) {
        listeners.add(listener);
        warnings.forEach(listener::warning);
        listener.status(status);
    }

    @Override
    public void cancel() {
        cancelled = true;
        finish(RunStatus.of(RunState.STOPPED, "Cancelled", "cancelled by the agent"));
    }

    @Override
    public String logTail() {
        return "Traceback: ValueError: bad learning rate";
    }
}
