package dev.launchkit.core;

/** What an agent is doing, as reported to queues that show it (W&B agent status). */
public enum AgentState {
    /** Waiting for items; no job is active. */
    POLLING,
    /** At least one job is active. */
    RUNNING,
    /** Shutting down (W&B {@code KILLED}). */
    STOPPED
}
