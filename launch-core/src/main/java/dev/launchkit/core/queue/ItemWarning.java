package dev.launchkit.core.queue;

import dev.launchkit.core.Stage;
import java.time.Instant;
import java.util.Objects;

/**
 * A warning attached to a queue item ({@link dev.launchkit.core.Queue#warn}).
 *
 * @param stage   where it was raised
 * @param message what the user should know; secrets already masked
 * @param at      when it was raised
 */
public record ItemWarning(Stage stage, String message, Instant at) {
    public ItemWarning {
        Objects.requireNonNull(stage, "stage");
        message = message == null ? "" : message;
        Objects.requireNonNull(at, "at");
    }
}
