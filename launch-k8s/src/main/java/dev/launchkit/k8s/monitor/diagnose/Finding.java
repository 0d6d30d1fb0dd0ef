package dev.launchkit.k8s.monitor.diagnose;

import java.util.Objects;

/**
 * One thing wrong with a pod, found in its status: why it cannot start, why a container died, or why the
 * platform took it away.
 *
 * @param kind    what the finding means for the run
 * @param reason  the Kubernetes reason word ({@code ImagePullBackOff}, {@code OOMKilled}, {@code Unschedulable},
 *                {@code PreemptionByScheduler}, ...)
 * @param message a sentence for the user that names the pod and container and quotes Kubernetes' own message
 * @param key     identifies "the same problem" for de-duplicating warnings within one run: it leaves out the pod
 *                name (a retried pod has the same problem) and counters that change on every restart
 * @param warn    whether the user should see it as a warning while the run goes on (exit codes are not warned
 *                about: they end up in the failure message)
 */
public record Finding(Kind kind, String reason, String message, String key, boolean warn) {

    /** What a finding means for the run. */
    public enum Kind {
        /** The pod cannot start: unschedulable, image pull failures, bad container config. */
        STUCK,
        /** A container failed: OOMKilled, crash loop, non-zero exit, pod deadline. */
        FAILURE,
        /** The platform took the pod away: preemption, eviction, node drain ({@code DisruptionTarget}). */
        DISRUPTION
    }

    public Finding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(key, "key");
    }
}
