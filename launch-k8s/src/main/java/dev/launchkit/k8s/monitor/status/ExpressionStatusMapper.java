package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides success and failure of a kind with user-given {@link StatusExpression}s (Argo's
 * {@code successCondition} / {@code failureCondition}), and leaves the non-terminal states (queued, starting,
 * running) to another mapper.
 *
 * <p>The failure condition is checked first, so an object matching both counts as failed. When conditions are
 * configured they alone decide the end: a terminal reading of the fallback mapper is reported as running, because
 * the user said what "done" means for this kind.
 */
public final class ExpressionStatusMapper implements StatusMapper {
    private final StatusExpression success;
    private final StatusExpression failure;
    private final StatusMapper fallback;

    /**
     * @param success  when it holds the run succeeded; may be null when only failure is configured
     * @param failure  when it holds the run failed; may be null when only success is configured
     * @param fallback reads the non-terminal states
     */
    public ExpressionStatusMapper(StatusExpression success, StatusExpression failure, StatusMapper fallback) {
        if (success == null && failure == null) {
            throw new IllegalArgumentException("at least one of success and failure condition is needed");
        }
        this.success = success;
        this.failure = failure;
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /** The success condition, if configured. */
    public Optional<StatusExpression> success() {
        return Optional.ofNullable(success);
    }

    /** The failure condition, if configured. */
    public Optional<StatusExpression> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public ObjectStatus map(JsonNode object) {
        if (failure != null && failure.test(object)) {
            return ObjectStatus.failed("FailureCondition",
                    with("failureCondition '" + failure + "' matched", statusMessage(object)));
        }
        if (success != null && success.test(object)) {
            return ObjectStatus.succeeded("SuccessCondition", "successCondition '" + success + "' matched");
        }
        ObjectStatus other = fallback.map(object);
        return other.isTerminal() ? ObjectStatus.running(other.reason(), other.message()) : other;
    }

    private static String statusMessage(JsonNode object) {
        JsonNode m = object.path("status").path("message");
        return m.isTextual() ? m.asText() : "";
    }

    private static String with(String a, String b) {
        return b.isBlank() ? a : a + ": " + b;
    }
}
