package dev.launchkit.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A point-in-time status of a run: its state, a short machine-friendly reason and a human message.
 *
 * @param state   the lifecycle state
 * @param reason  a short CamelCase reason such as {@code ImagePullBackOff}, {@code OOMKilled} or
 *                {@code Completed}; empty when there is nothing to add
 * @param message a human-readable explanation, quoted in queue failures; empty when there is nothing to add
 * @param at      when the status was observed
 */
public record RunStatus(RunState state, String reason, String message, Instant at) {

    public RunStatus {
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
        Objects.requireNonNull(at, "at");
    }

    /** A status with a state only, observed now. */
    public static RunStatus of(RunState state) {
        return new RunStatus(state, "", "", Instant.now());
    }

    /** A status with a reason and message, observed now. */
    public static RunStatus of(RunState state, String reason, String message) {
        return new RunStatus(state, reason, message, Instant.now());
    }

    public boolean isTerminal() {
        return state.isTerminal();
    }

    /** {@code "failed (OOMKilled: container launch0 was killed...)"}, for logs and status lines. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(state.wireName());
        if (!reason.isEmpty() || !message.isEmpty()) {
            sb.append(" (").append(reason);
            if (!reason.isEmpty() && !message.isEmpty()) {
                sb.append(": ");
            }
            sb.append(message).append(')');
        }
        return sb.toString();
    }
}
