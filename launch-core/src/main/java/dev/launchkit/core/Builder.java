package dev.launchkit.core;

/**
 * Turns a job's source into an image reference: {@code noop} uses the spec's image, {@code kaniko} builds in the
 * cluster, a plugin may do anything else.
 *
 * <p>Threading: {@link #build} may be called concurrently for different jobs. Idempotency: building the same
 * source twice should give the same reference (content-hash tags) and skip work when the registry already has it.
 * Exceptions: {@link LaunchException} with stage {@link Stage#BUILD} for a failed build (quote the build log's
 * tail), {@link Stage#AGENT} when the job cannot be built by this builder at all (say which builder to configure).
 */
public interface Builder extends AutoCloseable {

    /** The builder type, e.g. {@code kaniko}. */
    String type();

    /**
     * Returns the image to run the job with, building it first when needed.
     *
     * @param job      the job, with a resolved source
     * @param listener receives build warnings and log lines
     */
    ImageRef build(Job job, RunListener listener);

    @Override
    default void close() {
    }
}
