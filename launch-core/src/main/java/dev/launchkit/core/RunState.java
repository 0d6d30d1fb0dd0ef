package dev.launchkit.core;

/**
 * The lifecycle states of a launched run, in the order a run normally moves through them.
 *
 * <p>{@link #SUCCEEDED}, {@link #FAILED}, {@link #STOPPED} and {@link #PREEMPTED} are terminal: once a run
 * reports one of them it never reports another state.
 */
public enum RunState {
    /** Accepted but waiting for capacity (for example a Job suspended by Kueue). */
    QUEUED,
    /** An image is being built for the run. */
    BUILDING,
    /** Submitted; pods or processes are being created, images pulled, nodes found. */
    STARTING,
    /** At least one container or process of the run is running. */
    RUNNING,
    /** The run finished successfully. */
    SUCCEEDED,
    /** The run failed; the {@link RunStatus#reason()} says why. */
    FAILED,
    /** The run was cancelled by a user, the queue or the agent. */
    STOPPED,
    /** The run was evicted by the platform (node drain, spot reclaim, priority preemption). */
    PREEMPTED;

    /** Whether no further state can follow this one. */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == STOPPED || this == PREEMPTED;
    }

    /** The lower-case word used in configuration, logs and the W&B protocol, e.g. {@code "running"}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
