package dev.launchkit.core;

/**
 * Events of an agent's life, for embedders (progress UIs, metrics, audit logs). All methods have empty defaults.
 *
 * <p>Called on the agent's threads; implementations must be quick and thread-safe and must not throw (an
 * exception is logged and ignored). Messages and log lines have already had secrets masked.
 */
public interface AgentListener {

    /**
     * A queue answered a poll: with an item ({@code gotItem}) or empty. A poll that failed is reported with
     * {@link #error} (job null) instead.
     */
    default void polled(String queueName, boolean gotItem) {
    }

    /** A job was taken off a queue. */
    default void received(Job job) {
    }

    /** The job's image is being built. */
    default void building(Job job) {
    }

    /** The job was submitted to its runner. */
    default void submitted(Job job, SubmittedRun run) {
    }

    /** A run that was already live when the agent started was found again. */
    default void adopted(Job job, SubmittedRun run) {
    }

    /** A new status of a run (including the terminal one). */
    default void status(Job job, RunStatus status) {
    }

    /** A warning about a job (image pull trouble, scheduling, failed packages, ...). */
    default void warning(Job job, Stage stage, String message) {
    }

    /** A line of the run's log. */
    default void log(Job job, String line) {
    }

    /** The job reached its end and was reported to its queue. */
    default void finished(Job job, RunStatus status) {
    }

    /**
     * Something went wrong. {@code job} is null for errors that belong to no job (a queue that could not be
     * polled, for example).
     */
    default void error(Job job, Stage stage, String message) {
    }
}
