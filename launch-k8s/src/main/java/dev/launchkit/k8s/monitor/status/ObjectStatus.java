package dev.launchkit.k8s.monitor.status;

import dev.launchkit.core.RunState;
import java.util.Objects;

/**
 * What a {@link StatusMapper} concluded from one Kubernetes object: a run state with a short reason and a human
 * message. Pods are judged separately (see {@code dev.launchkit.k8s.monitor.diagnose}); the monitor combines both.
 *
 * @param state   {@link RunState#QUEUED}, {@link RunState#STARTING}, {@link RunState#RUNNING} or a terminal state
 * @param reason  a short CamelCase reason ({@code BackoffLimitExceeded}, {@code Completed}); empty when none
 * @param message a human-readable explanation; empty when none
 */
public record ObjectStatus(RunState state, String reason, String message) {

    public ObjectStatus {
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }

    /** Created, nothing running yet. */
    public static ObjectStatus starting() {
        return new ObjectStatus(RunState.STARTING, "", "");
    }

    public static ObjectStatus starting(String reason, String message) {
        return new ObjectStatus(RunState.STARTING, reason, message);
    }

    public static ObjectStatus queued(String reason, String message) {
        return new ObjectStatus(RunState.QUEUED, reason, message);
    }

    public static ObjectStatus running() {
        return new ObjectStatus(RunState.RUNNING, "", "");
    }

    public static ObjectStatus running(String reason, String message) {
        return new ObjectStatus(RunState.RUNNING, reason, message);
    }

    public static ObjectStatus succeeded(String reason, String message) {
        return new ObjectStatus(RunState.SUCCEEDED, reason, message);
    }

    public static ObjectStatus failed(String reason, String message) {
        return new ObjectStatus(RunState.FAILED, reason, message);
    }

    public boolean isTerminal() {
        return state.isTerminal();
    }
}
