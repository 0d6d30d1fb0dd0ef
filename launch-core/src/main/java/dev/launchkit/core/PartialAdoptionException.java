package dev.launchkit.core;

import java.util.List;

/**
 * {@link Runner#adopt()} found some runs but could not look everywhere (a namespace it may not list, an API error):
 * the agent follows the runs it did find, and, since others may be missing, does not put the queue's abandoned items
 * back ({@link Queue#releaseAbandoned}), which could run a missed run a second time.
 */
public final class PartialAdoptionException extends LaunchException {
    private static final long serialVersionUID = 1L;
    private final transient List<SubmittedRun> adopted;

    /** {@code message} says where the runner could not look, and what to do. */
    public PartialAdoptionException(List<SubmittedRun> adopted, String message, Throwable cause) {
        super(Stage.AGENT, message, cause);
        this.adopted = List.copyOf(adopted);
    }

    /** The runs found where the runner could look; they are tracked and must be followed. */
    public List<SubmittedRun> adopted() {
        return adopted;
    }
}
