package dev.launchkit.core;

import java.time.Duration;
import java.util.Optional;

/**
 * A source of jobs: a W&B run queue, a directory, an in-memory queue, or a platform's own.
 *
 * <p>Lifecycle of an item, driven by the agent: {@link #poll} hands out a {@link Job}; {@link #ack} records that
 * the agent took it (with its run id); then exactly one of {@link #fail} or {@link #complete} ends it. Any number
 * of {@link #warn} calls may come in between.
 *
 * <p>Threading: {@code poll} is called from one agent thread at a time; the other methods may be called from
 * any thread, concurrently, and must be thread-safe. Idempotency: {@code ack}, {@code fail} and {@code complete}
 * may be retried after an exception and must not double-report. Exceptions: {@link QueueException} for a failure
 * of the queue itself (network, server error); the agent logs it, backs off and goes on.
 */
public interface Queue extends AutoCloseable {

    /** The queue's name as configured. */
    String name();

    /**
     * Takes the next item, waiting up to {@code wait} for one to arrive.
     *
     * <p>An item that cannot be turned into a job (malformed spec) must not be returned and must not be dropped:
     * the queue fails it itself, with a message naming the problem, and goes on to the next item.
     *
     * @return the job, or empty when none arrived in time
     */
    Optional<Job> poll(Duration wait) throws InterruptedException;

    /** Records that the agent took the job and will run it as {@code runId}. */
    void ack(Job job, String runId);

    /**
     * Ends the item as failed.
     *
     * @param stage   where it failed
     * @param message what happened and what to do, quoted to the user; secrets already masked
     */
    void fail(Job job, Stage stage, String message);

    /** Attaches a warning to the item (shown to users while the run goes on). */
    void warn(Job job, Stage stage, String message);

    /** Ends the item with a non-failed terminal status (succeeded, stopped, preempted without requeue). */
    default void complete(Job job, RunStatus status) {
    }

    /**
     * Turns a job whose source is {@link JobSource.Unresolved} into one with a concrete source (for W&B, by
     * downloading the job artifact). The default returns the job unchanged.
     *
     * @throws LaunchException with stage {@link Stage#AGENT} when the source cannot be found
     */
    default Job resolve(Job job) {
        return job;
    }

    /** Whether a user asked for this job's run to be stopped (checked periodically while it runs). */
    default boolean stopRequested(Job job) {
        return false;
    }

    /**
     * Puts a preempted job back on the queue to resume the same run. The default does nothing and returns false.
     *
     * @return whether the job was requeued
     */
    default boolean requeue(Job job) {
        return false;
    }

    /**
     * Finds a job again after an agent restart, from the ids a runner recorded on its run.
     *
     * @return the job, or empty when the queue no longer knows the item (it was already ended)
     */
    default Optional<Job> recover(String itemId, String runId) {
        return Optional.empty();
    }

    /**
     * Records that the job's run was created on its runner as {@code runRef} (for example
     * {@code wandb/Job/launch-abc}), right after the submission. A queue that puts abandoned items back
     * ({@link #releaseAbandoned}) uses it to tell an item whose run never started (run it again) from one whose run
     * existed but was gone by the time an agent looked for it (a Job deleted by its TTL while no agent ran: running
     * it again would run it twice). The default does nothing.
     */
    default void submitted(Job job, String runRef) {
    }

    /**
     * Called once at start, after the runs that outlived a previous agent were adopted (and their items
     * {@link #recover recovered}): puts back on the queue the items a dead agent had taken but never got a run for,
     * so a crash between taking an item and submitting its run loses nothing. Queues whose server does this
     * (W&B) keep the default, which does nothing.
     *
     * @return how many items were put back
     */
    default int releaseAbandoned() {
        return 0;
    }

    /**
     * Tells the queue what the agent is doing ({@code POLLING}, {@code RUNNING}, {@code STOPPED}), for queues
     * that show agent status to users (W&B {@code updateLaunchAgent}). Called on changes and periodically.
     */
    default void agentState(AgentState state) {
    }

    /** Whether the queue's owner asked the agent to stop polling (W&B {@code stopPolling}). */
    default boolean stopPollingRequested() {
        return false;
    }

    /** Releases connections and threads. Items already handed out are not affected. */
    @Override
    default void close() {
    }
}
