package dev.launchkit.core;

import java.util.List;

/**
 * Submits jobs to where they run (a Kubernetes cluster, a local process) and tracks them.
 *
 * <p>Threading: {@link #submit} may be called concurrently from several agent threads. Idempotency: submitting
 * the same run id twice must not start a second run; the second call returns the first run (Kubernetes: 409 →
 * adopt). Exceptions: {@link LaunchException} with stage {@link Stage#AGENT} for a job refused before anything was
 * created (bad manifest, namespace not allowed), {@link Stage#RUN} when submission itself failed.
 */
public interface Runner extends AutoCloseable {

    /** The runner type, e.g. {@code kubernetes}. */
    String type();

    /**
     * Submits the job with the given image.
     *
     * @param job   the job, its spec carrying resource args and overrides
     * @param image the image to run; for jobs that need no image (local-process) the spec's image or none
     * @return the submitted run, already being tracked
     */
    SubmittedRun submit(Job job, ImageRef image);

    /**
     * Finds the runs this runner's deployment owns that have not been reported yet (after an agent restart), and
     * starts tracking them. Called once, at agent start, before the first poll.
     *
     * @throws PartialAdoptionException when some places could not be searched, carrying the runs found elsewhere
     */
    default List<SubmittedRun> adopt() {
        return List.of();
    }

    /** Stops tracking (watches, threads). Does not cancel runs: they are adopted by the next agent. */
    @Override
    default void close() {
    }
}
