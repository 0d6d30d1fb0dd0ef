package dev.launchkit.testkit.wandb;

import java.util.Objects;

/**
 * A failure the {@link FakeWandbServer} answers with instead of serving an operation, to test error paths.
 *
 * <pre>{@code
 * server.inject("popFromRunQueue", Fault.status(503), 2);   // the next two pops answer HTTP 503
 * server.inject("*", Fault.malformedJson(), 1);             // the next call of any kind answers broken JSON
 * }</pre>
 *
 * @param kind    what goes wrong
 * @param status  the HTTP status sent
 * @param message the body text (for {@link Kind#STATUS}) or GraphQL error message (for {@link Kind#GRAPHQL_ERROR})
 */
public record Fault(Kind kind, int status, String message) {

    /** The kinds of injected failure. */
    public enum Kind {
        /** An HTTP error status with a short text body. */
        STATUS,
        /** HTTP 200 with a body that is not JSON (a proxy's HTML page, a truncated answer). */
        MALFORMED_JSON,
        /** HTTP 200 with GraphQL {@code errors} and no data. */
        GRAPHQL_ERROR
    }

    public Fault {
        Objects.requireNonNull(kind, "kind");
        message = message == null ? "" : message;
    }

    /** An HTTP error status, e.g. 500, 502, 503 or 429, with a short text body. */
    public static Fault status(int status) {
        return new Fault(Kind.STATUS, status, "fake W&B server: injected HTTP " + status);
    }

    /** HTTP 401, as for an API key the server does not accept. */
    public static Fault unauthorized() {
        return new Fault(Kind.STATUS, 401, "{\"errors\":[{\"message\":\"invalid API key\"}]}");
    }

    /** HTTP 200 with an HTML body that is not JSON. */
    public static Fault malformedJson() {
        return new Fault(Kind.MALFORMED_JSON, 200, "<html><body>502 Bad Gateway (proxy)</body></html>");
    }

    /** HTTP 200 with GraphQL {@code errors: [{message}]}. */
    public static Fault graphqlError(String message) {
        return new Fault(Kind.GRAPHQL_ERROR, 200, message);
    }

    /** {@code HTTP 503}, {@code malformed JSON}, {@code GraphQL error: ...}, for recorded calls. */
    public String describe() {
        return switch (kind) {
            case STATUS -> "HTTP " + status;
            case MALFORMED_JSON -> "malformed JSON";
            case GRAPHQL_ERROR -> "GraphQL error: " + message;
        };
    }
}
