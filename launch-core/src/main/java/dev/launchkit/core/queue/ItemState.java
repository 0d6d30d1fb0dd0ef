package dev.launchkit.core.queue;

import java.util.Locale;

/** Where a queue item is in its life: waiting, taken by an agent, or ended. */
public enum ItemState {
    /** Waiting to be popped. */
    PENDING,
    /** Popped by an agent; it will be acked, then failed or completed. */
    RUNNING,
    /** Ended with a non-failed run state (succeeded, stopped, preempted). */
    DONE,
    /** Ended as failed, with a stage and message. */
    FAILED;

    /** The lower-case word used in result files. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isEnded() {
        return this == DONE || this == FAILED;
    }

    /** Parses {@link #wireName()}. */
    public static ItemState parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
}
