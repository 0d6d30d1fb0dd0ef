package dev.launchkit.testkit.wandb;

/** A GraphQL error the fake answers with ({@code errors: [{message}]}, HTTP 200). */
final class GraphqlError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GraphqlError(String message) {
        super(message);
    }
}
