package dev.launchkit.core.queue;

/**
 * A template variable value that is missing, unknown to the queue, of the wrong type, out of range or not one of
 * the allowed values. The message starts with the variable's name, e.g.
 * {@code template variable 'gpus': 7 is above the maximum 4}.
 */
public class TemplateVariableException extends InvalidItemException {
    private static final long serialVersionUID = 1L;
    private final String variable;

    public TemplateVariableException(String variable, String message) {
        super(message);
        this.variable = variable;
    }

    /** The name of the variable at fault. */
    public String variable() {
        return variable;
    }
}
