package dev.launchkit.core;

/**
 * The stage of the pipeline at which a queue item failed. The wire names are those of the W&B
 * {@code failRunQueueItem} mutation.
 */
public enum Stage {
    /** Before any build or submission: bad spec, unknown resource, namespace refused, source not found. */
    AGENT,
    /** While building or pushing the image. */
    BUILD,
    /** After submission: the run itself failed, or could not start. */
    RUN;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
