package dev.launchkit.core;

/**
 * Receives what happens to one {@link SubmittedRun}. All methods have empty defaults.
 *
 * <p>Called from the runner's threads, never concurrently for the same run; implementations must be quick.
 */
public interface RunListener {

    /** A new status; the terminal one is delivered exactly once and last. */
    default void status(RunStatus status) {
    }

    /** A diagnostic worth showing the user (ImagePullBackOff, Unschedulable, ...). Delivered once per message per run. */
    default void warning(String message) {
    }

    /** A line of the run's main log. */
    default void log(String line) {
    }
}
