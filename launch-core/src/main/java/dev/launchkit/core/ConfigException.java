package dev.launchkit.core;

/**
 * A configuration error. The message always names where ({@code launch-config.yaml:4}), which key
 * ({@code builder.type}) and what to do about it, for example:
 * {@code launch-config.yaml:4: builder.type: 'kanico' is not one of noop, kaniko — did you mean 'kaniko'?}
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
