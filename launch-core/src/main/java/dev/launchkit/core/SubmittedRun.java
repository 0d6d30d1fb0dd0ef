package dev.launchkit.core;

import java.util.concurrent.CompletableFuture;

/**
 * A run a {@link Runner} submitted (or adopted): its id, its current status, its completion, cancel and logs.
 *
 * <p>Thread-safe. Status changes are pushed to listeners; {@link #completion()} completes with the terminal
 * status exactly once.
 */
public interface SubmittedRun {

    /** The runner's id for the run, e.g. {@code namespace/job-name} or a process id. */
    String id();

    /** The W&B run id. */
    String runId();

    /** The queue item this run belongs to, as recorded on the run (labels, annotations), for re-adoption. */
    String itemId();

    /** The queue name this run belongs to, as recorded on the run. */
    String queueName();

    /** The latest known status. */
    RunStatus status();

    /** Completes with the terminal status. Never completes exceptionally. */
    CompletableFuture<RunStatus> completion();

    /**
     * Adds a listener; it first receives the current status, then every change. Adding after completion delivers the
     * terminal status only.
     */
    void addListener(RunListener listener);

    /**
     * Stops the run and removes what it created (pods, processes). Idempotent; the run then reaches
     * {@link RunState#STOPPED} unless it had already ended.
     */
    void cancel();

    /**
     * Records, where the run lives (an annotation on the Kubernetes object, for example), that its outcome was
     * reported to the queue, so an agent that restarts does not adopt and report it a second time. Called by the
     * agent after the queue accepted the report. Idempotent; the default does nothing.
     */
    default void markReported() {
    }

    /** The last part of the run's logs (all pods or processes), for failure messages; empty when none. */
    String logTail();
}
