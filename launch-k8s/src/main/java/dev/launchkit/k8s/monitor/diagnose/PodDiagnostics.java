package dev.launchkit.k8s.monitor.diagnose;

import dev.launchkit.k8s.monitor.diagnose.Finding.Kind;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a pod's status the way a person debugging it would: the scheduler's {@code Unschedulable} message,
 * containers waiting in {@code ImagePullBackOff} / {@code ErrImagePull} / {@code CreateContainerConfigError} /
 * {@code CrashLoopBackOff}, containers terminated with {@code OOMKilled} or an exit code, evictions, and the
 * {@code DisruptionTarget} condition the control plane sets before it takes a pod away (preemption, eviction API,
 * node-pressure kill, taint manager, pod GC of a lost node).
 *
 * <p>W&B's agent only looked at Unschedulable and DisruptionTarget, so an image that cannot be pulled left the run
 * "unknown" forever; here each of these becomes a {@link Finding}.
 */
public final class PodDiagnostics {
    /** Waiting reasons that mean the image cannot be fetched. */
    private static final Set<String> IMAGE_PROBLEMS = Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "ErrImageNeverPull", "RegistryUnavailable", "SignatureValidationFailed");
    /** Waiting reasons that mean the container cannot be created from its spec. */
    private static final Set<String> CONFIG_PROBLEMS = Set.of("CreateContainerConfigError", "CreateContainerError",
            "RunContainerError", "PreCreateHookError", "PreStartHookError");

    private PodDiagnostics() {
    }

    /** Everything worth knowing about the pod. */
    public static PodReport diagnose(V1Pod pod) {
        V1ObjectMeta meta = pod.getMetadata() == null ? new V1ObjectMeta() : pod.getMetadata();
        V1PodStatus status = pod.getStatus() == null ? new V1PodStatus() : pod.getStatus();
        V1PodSpec spec = pod.getSpec() == null ? new V1PodSpec() : pod.getSpec();
        String name = meta.getName() == null ? "" : meta.getName();
        String phase = status.getPhase() == null ? "Pending" : status.getPhase();
        String main = spec.getContainers() == null || spec.getContainers().isEmpty() ? ""
                : nonNull(spec.getContainers().get(0).getName());

        List<Finding> findings = new ArrayList<>();
        disruption(name, status).ifPresent(findings::add);
        unschedulable(name, status).ifPresent(findings::add);
        podReason(name, status).ifPresent(findings::add);
        boolean running = false;
        int mainRestarts = 0;
        boolean mainStarted = false;
        for (V1ContainerStatus cs : statuses(status)) {
            findings.addAll(container(name, cs, spec));
            V1ContainerState state = cs.getState();
            if (state != null && state.getRunning() != null && !isInit(cs, status)) {
                running = true;
            }
            if (!isInit(cs, status) && main.equals(cs.getName())) {
                mainRestarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                mainStarted = state != null && (state.getRunning() != null || state.getTerminated() != null)
                        || mainRestarts > 0;
            }
        }
        findings.sort(Comparator.comparingInt(PodDiagnostics::rank));
        Instant created = meta.getCreationTimestamp() == null ? Instant.EPOCH : meta.getCreationTimestamp().toInstant();
        boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
        return new PodReport(name, phase, running && "Running".equals(phase), finished, main, mainRestarts,
                mainStarted, created, meta.getLabels() == null ? Map.of() : meta.getLabels(), findings);
    }

    private static List<V1ContainerStatus> statuses(V1PodStatus status) {
        List<V1ContainerStatus> all = new ArrayList<>();
        if (status.getInitContainerStatuses() != null) {
            all.addAll(status.getInitContainerStatuses());
        }
        if (status.getContainerStatuses() != null) {
            all.addAll(status.getContainerStatuses());
        }
        return all;
    }

    private static boolean isInit(V1ContainerStatus cs, V1PodStatus status) {
        return status.getInitContainerStatuses() != null && status.getInitContainerStatuses().contains(cs);
    }

    private static Optional<Finding> disruption(String pod, V1PodStatus status) {
        return condition(status, "DisruptionTarget")
                .filter(c -> "True".equalsIgnoreCase(c.getStatus()))
                .map(c -> {
                    String reason = c.getReason() == null || c.getReason().isEmpty() ? "DisruptionTarget" : c.getReason();
                    return new Finding(Kind.DISRUPTION, reason, "pod " + pod + " was taken away by the platform ("
                            + reason + ")" + suffix(c.getMessage()), "Disruption|" + reason, true);
                });
    }

    private static Optional<Finding> unschedulable(String pod, V1PodStatus status) {
        return condition(status, "PodScheduled")
                .filter(c -> "False".equalsIgnoreCase(c.getStatus()) && "Unschedulable".equals(c.getReason()))
                .map(c -> new Finding(Kind.STUCK, "Unschedulable", "pod " + pod + " cannot be scheduled"
                        + suffix(c.getMessage()), "Unschedulable|" + nonNull(c.getMessage()), true));
    }

    /** Pod-level reasons: kubelet eviction and the pod's own activeDeadlineSeconds. */
    private static Optional<Finding> podReason(String pod, V1PodStatus status) {
        String reason = nonNull(status.getReason());
        if (reason.equals("Evicted")) {
            return Optional.of(new Finding(Kind.DISRUPTION, "Evicted", "pod " + pod + " was evicted"
                    + suffix(status.getMessage()), "Evicted|" + nonNull(status.getMessage()), true));
        }
        if (reason.equals("DeadlineExceeded")) {
            return Optional.of(new Finding(Kind.FAILURE, "DeadlineExceeded", "pod " + pod
                    + " ran longer than its activeDeadlineSeconds" + suffix(status.getMessage()),
                    "PodDeadlineExceeded", true));
        }
        return Optional.empty();
    }

    private static List<Finding> container(String pod, V1ContainerStatus cs, V1PodSpec spec) {
        List<Finding> out = new ArrayList<>();
        String c = nonNull(cs.getName());
        String where = "pod " + pod + ": container " + c;
        V1ContainerState state = cs.getState();
        V1ContainerStateWaiting waiting = state == null ? null : state.getWaiting();
        if (waiting != null && waiting.getReason() != null) {
            String reason = waiting.getReason();
            if (IMAGE_PROBLEMS.contains(reason)) {
                out.add(new Finding(Kind.STUCK, reason, where + " cannot pull image " + quote(cs.getImage())
                        + " (" + reason + ")" + suffix(waiting.getMessage()),
                        reason + "|" + c + "|" + nonNull(cs.getImage()), true));
            } else if (CONFIG_PROBLEMS.contains(reason)) {
                out.add(new Finding(Kind.STUCK, reason, where + " cannot be created (" + reason + ")"
                        + suffix(waiting.getMessage()), reason + "|" + c + "|" + nonNull(waiting.getMessage()), true));
            } else if (reason.equals("CrashLoopBackOff")) {
                out.add(new Finding(Kind.FAILURE, reason, where + " keeps crashing (CrashLoopBackOff, restarted "
                        + (cs.getRestartCount() == null ? 0 : cs.getRestartCount()) + " times)"
                        + lastExit(cs), reason + "|" + c, true));
            }
        }
        V1ContainerStateTerminated terminated = terminated(cs);
        if (terminated != null) {
            int code = terminated.getExitCode() == null ? 0 : terminated.getExitCode();
            String reason = nonNull(terminated.getReason());
            if (reason.equals("OOMKilled")) {
                out.add(new Finding(Kind.FAILURE, "OOMKilled", where + " was killed because it ran out of memory "
                        + "(OOMKilled, exit code " + code + memoryLimit(spec, c) + ")", "OOMKilled|" + c, true));
            } else if (code != 0) {
                out.add(new Finding(Kind.FAILURE, reason.isEmpty() ? "Error" : reason, where + " exited with code "
                        + code + (reason.isEmpty() || reason.equals("Error") ? "" : " (" + reason + ")")
                        + suffix(terminated.getMessage()), "Exit|" + c + "|" + code, false));
            }
        }
        return out;
    }

    /** The current termination, or the previous one while the container waits to restart. */
    private static V1ContainerStateTerminated terminated(V1ContainerStatus cs) {
        if (cs.getState() != null && cs.getState().getTerminated() != null) {
            return cs.getState().getTerminated();
        }
        return cs.getLastState() == null ? null : cs.getLastState().getTerminated();
    }

    private static String lastExit(V1ContainerStatus cs) {
        V1ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
        if (last == null) {
            return "";
        }
        return "; last exit code " + (last.getExitCode() == null ? "?" : last.getExitCode())
                + (last.getReason() == null ? "" : " (" + last.getReason() + ")");
    }

    private static String memoryLimit(V1PodSpec spec, String container) {
        if (spec.getContainers() == null) {
            return "";
        }
        for (V1Container c : spec.getContainers()) {
            if (container.equals(c.getName()) && c.getResources() != null && c.getResources().getLimits() != null) {
                Quantity q = c.getResources().getLimits().get("memory");
                if (q != null) {
                    return "; memory limit " + q.toSuffixedString();
                }
            }
        }
        return "";
    }

    private static Optional<V1PodCondition> condition(V1PodStatus status, String type) {
        if (status.getConditions() == null) {
            return Optional.empty();
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** Most telling first: disruption, then OOM, deadline, crash loop, stuck reasons, plain exit codes. */
    private static int rank(Finding f) {
        return switch (f.reason()) {
            case "OOMKilled" -> 1;
            case "DeadlineExceeded" -> 2;
            case "CrashLoopBackOff" -> 3;
            default -> f.kind() == Kind.DISRUPTION ? 0 : f.kind() == Kind.STUCK ? 4 : 5;
        };
    }

    private static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message.strip();
    }

    private static String quote(String s) {
        return "\"" + nonNull(s) + "\"";
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
