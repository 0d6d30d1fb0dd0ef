package dev.launchkit.core.queue;

/**
 * An item that cannot be put on a queue as given: a launch spec with a field of the wrong type, a template
 * variable value that does not fit its schema, a priority the queue does not accept. The message names the field
 * or variable and what to do.
 */
public class InvalidItemException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidItemException(String message) {
        super(message);
    }

    public InvalidItemException(String message, Throwable cause) {
        super(message, cause);
    }
}
