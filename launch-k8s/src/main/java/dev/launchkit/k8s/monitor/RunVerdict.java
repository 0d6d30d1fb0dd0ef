package dev.launchkit.k8s.monitor;

import dev.launchkit.core.RunState;
import dev.launchkit.k8s.monitor.diagnose.Finding;
import dev.launchkit.k8s.monitor.diagnose.PodReport;
import dev.launchkit.k8s.monitor.status.ObjectStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Combines what the object says (its {@link ObjectStatus}) with what its pods say into the run's state. A pure
 * function, so every rule is testable without a cluster.
 *
 * <ul>
 *   <li>The object decides the end. A failed object whose latest attempt was taken away by the platform
 *       (a pod with a {@code DisruptionTarget} condition or an eviction, and no pod of a later attempt failing on its
 *       own) is {@code preempted}, not failed: requeueing it is the queue's business.</li>
 *   <li>A failure names its cause: the pod finding (OOMKilled, crash loop, exit code, image pull) with the object's
 *       reason after it — except {@code DeadlineExceeded}, which is the cause itself.</li>
 *   <li>Before the end: queued when the object is queued (Kueue), running when a pod runs or the object says so,
 *       otherwise starting, with the reason a pod is stuck (ImagePullBackOff, Unschedulable, ...).</li>
 * </ul>
 */
final class RunVerdict {

    private RunVerdict() {
    }

    static ObjectStatus decide(ObjectStatus object, Collection<PodReport> pods) {
        List<PodReport> newestFirst = pods.stream().sorted(PodReport.OLDEST_FIRST.reversed()).toList();
        return switch (object.state()) {
            case SUCCEEDED, STOPPED, PREEMPTED -> object;
            case FAILED -> failed(object, newestFirst);
            case QUEUED -> object;
            default -> beforeEnd(object, newestFirst);
        };
    }

    private static ObjectStatus failed(ObjectStatus object, List<PodReport> newestFirst) {
        Optional<Finding> preemption = preemption(newestFirst);
        if (preemption.isPresent()) {
            Finding f = preemption.get();
            return new ObjectStatus(RunState.PREEMPTED, f.reason(), f.message());
        }
        Optional<Finding> cause = newestFirst.stream().map(p -> p.failure().or(p::stuck))
                .flatMap(Optional::stream).findFirst();
        if (object.reason().equals("DeadlineExceeded")) {
            String message = object.message().isEmpty() ? "the run was active longer than its activeDeadlineSeconds"
                    : object.message();
            return ObjectStatus.failed("DeadlineExceeded", cause.map(c -> message + "; " + c.message()).orElse(message));
        }
        if (cause.isPresent()) {
            Finding c = cause.get();
            String objectPart = object.reason().isEmpty() ? object.message()
                    : object.reason() + (object.message().isEmpty() ? "" : ": " + object.message());
            return ObjectStatus.failed(c.reason(), objectPart.isEmpty() ? c.message() : c.message() + " (" + objectPart + ")");
        }
        return object;
    }

    /**
     * The disruption that ended the run, if the latest attempt was disrupted. A pod that failed on its own and was
     * created after the newest disrupted pod belongs to a later attempt (the Job retried), so the run failed.
     * Pods created in the same second belong to the same attempt (a gang of workers).
     */
    private static Optional<Finding> preemption(List<PodReport> newestFirst) {
        Optional<PodReport> disrupted = newestFirst.stream().filter(p -> p.disruption().isPresent()).findFirst();
        if (disrupted.isEmpty()) {
            return Optional.empty();
        }
        Instant disruptedAt = disrupted.get().created();
        boolean laterOwnFailure = newestFirst.stream().anyMatch(p -> p.disruption().isEmpty()
                && p.created().isAfter(disruptedAt) && (p.failed() || p.failure().isPresent()));
        return laterOwnFailure ? Optional.empty() : disrupted.get().disruption();
    }

    private static ObjectStatus beforeEnd(ObjectStatus object, List<PodReport> newestFirst) {
        List<PodReport> live = newestFirst.stream().filter(p -> !p.finished()).toList();
        boolean running = live.stream().anyMatch(PodReport::running);
        if (running || object.state() == RunState.RUNNING) {
            return object.state() == RunState.RUNNING ? object : ObjectStatus.running();
        }
        Optional<Finding> stuck = live.stream().sorted(Comparator.comparing(p -> p.stuck().isEmpty()))
                .map(p -> p.stuck().or(p::failure)).flatMap(Optional::stream).findFirst();
        return stuck.map(f -> ObjectStatus.starting(f.reason(), f.message())).orElse(object);
    }
}
