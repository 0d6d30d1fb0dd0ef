package dev.launchkit.core;

/**
 * A failure that should fail one queue item, at a known {@link Stage}, with a message fit to show the user.
 *
 * <p>Plugins throw it for anything caused by the item or by configuration (a refused namespace, a missing image,
 * a registry that says 401). The agent catches it, fails only that item with the message, and keeps running.
 * Messages must say what happened and what to do; they must not contain secrets.
 */
public class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Stage stage;

    public LaunchException(Stage stage, String message) {
        super(message);
        this.stage = java.util.Objects.requireNonNull(stage, "stage");
    }

    public LaunchException(Stage stage, String message, Throwable cause) {
        super(message, cause);
        this.stage = java.util.Objects.requireNonNull(stage, "stage");
    }

    /** The stage to report to the queue. */
    public Stage stage() {
        return stage;
    }
}
