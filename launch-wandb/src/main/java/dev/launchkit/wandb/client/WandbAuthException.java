package dev.launchkit.wandb.client;

/** The server refused the API key (HTTP 401 or 403), or the key belongs to no user. Retrying does not help. */
public final class WandbAuthException extends WandbException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public WandbAuthException(String operation, int status, String message) {
        super(operation, message);
        this.status = status;
    }

    /** The HTTP status, or 0 when the server answered 200 with no user (an anonymous {@code viewer}). */
    public int status() {
        return status;
    }
}
