package dev.launchkit.wandb.client;

/** An HTTP error status (5xx, 429 after the retries ran out, or another 4xx) or a network failure. */
public final class WandbServerException extends WandbException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public WandbServerException(String operation, int status, String message, Throwable cause) {
        super(operation, message, cause);
        this.status = status;
    }

    /** The last HTTP status, or 0 when no response arrived (connection refused, timeout). */
    public int status() {
        return status;
    }

    /** Whether another attempt later may succeed (5xx, 429, network). */
    public boolean transientFailure() {
        return status == 0 || status == 429 || status >= 500;
    }
}
