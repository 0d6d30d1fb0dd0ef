package dev.launchkit.wandb.client;

import java.util.List;

/** The server answered with GraphQL {@code errors}; {@link #serverMessages()} holds them as sent. */
public final class WandbGraphqlException extends WandbException {
    private static final long serialVersionUID = 1L;
    private final List<String> serverMessages;

    public WandbGraphqlException(String operation, String message, List<String> serverMessages) {
        super(operation, message);
        this.serverMessages = List.copyOf(serverMessages);
    }

    /** The {@code errors[].message} values, already masked. */
    public List<String> serverMessages() {
        return serverMessages;
    }
}
