package dev.launchkit.wandb.client;

/** The server answered, but not with the JSON the operation returns (an HTML error page, a truncated body). */
public final class WandbResponseException extends WandbException {
    private static final long serialVersionUID = 1L;

    public WandbResponseException(String operation, String message, Throwable cause) {
        super(operation, message, cause);
    }
}
