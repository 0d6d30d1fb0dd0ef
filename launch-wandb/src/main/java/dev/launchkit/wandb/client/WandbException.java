package dev.launchkit.wandb.client;

/**
 * A failed call to the W&B API. The message says which operation failed, quotes what the server said, and never
 * contains the API key (every message passes through the agent's secret masker).
 *
 * <p>Subclasses tell the kinds apart: {@link WandbAuthException} (the key was refused),
 * {@link WandbServerException} (an HTTP error that outlived the retries), {@link WandbResponseException} (the body
 * was not the JSON the operation returns) and {@link WandbGraphqlException} (the server answered with GraphQL
 * {@code errors}).
 */
public class WandbException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operation;

    public WandbException(String operation, String message) {
        super(message);
        this.operation = operation == null ? "" : operation;
    }

    public WandbException(String operation, String message, Throwable cause) {
        super(message, cause);
        this.operation = operation == null ? "" : operation;
    }

    /** The GraphQL operation name (e.g. {@code popFromRunQueue}) or the download, empty when unknown. */
    public String operation() {
        return operation;
    }
}
