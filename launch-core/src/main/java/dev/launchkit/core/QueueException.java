package dev.launchkit.core;

/**
 * A failure of the queue itself (network, server error, unreadable folder), as opposed to a bad item. The agent
 * logs it, backs off and polls again.
 */
public class QueueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueueException(String message) {
        super(message);
    }

    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
