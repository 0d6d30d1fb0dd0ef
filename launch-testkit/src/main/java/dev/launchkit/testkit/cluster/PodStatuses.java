package dev.launchkit.testkit.cluster;

import dev.launchkit.testkit.cluster.SimulatedCluster.Scenario;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The pod statuses a kubelet (and scheduler) report for the simulator's scenarios: one container status per container
 * of the Job's pod template, with the reasons and messages real clusters show.
 *
 * @param jobName the Job's name, used in messages
 * @param spec    the pod template's spec
 */
record PodStatuses(String jobName, V1PodSpec spec) {

    List<V1Container> containers() {
        return spec.getContainers();
    }

    String missingSecret() {
        return containers().stream().flatMap(c -> c.getEnv() == null ? Stream.empty()
                        : c.getEnv().stream())
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .map(e -> e.getValueFrom().getSecretKeyRef().getName()).findFirst().orElse(jobName + "-secret");
    }

    V1PodStatus pending(Scenario s) {
        V1PodStatus status = new V1PodStatus().phase("Pending");
        if (s == Scenario.UNSCHEDULABLE) {
            return status.conditions(List.of(new V1PodCondition().type("PodScheduled").status("False")
                    .reason("Unschedulable").message("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                    .lastTransitionTime(OffsetDateTime.now())));
        }
        String secret = missingSecret();
        return status.conditions(List.of(new V1PodCondition().type("PodScheduled").status("True")
                        .lastTransitionTime(OffsetDateTime.now())))
                .containerStatuses(containerStatuses(c -> new V1ContainerState().waiting(switch (s) {
                    case IMAGE_PULL_BACKOFF -> new V1ContainerStateWaiting().reason("ImagePullBackOff")
                            .message("Back-off pulling image \"" + c.getImage() + "\"");
                    case CREATE_CONTAINER_CONFIG_ERROR -> new V1ContainerStateWaiting()
                            .reason("CreateContainerConfigError").message("secret \"" + secret + "\" not found");
                    default -> new V1ContainerStateWaiting().reason("ContainerCreating");
                }), false, 0));
    }

    V1PodStatus running(OffsetDateTime now) {
        return new V1PodStatus().phase("Running").startTime(now).podIP("10.0.0.7")
                .conditions(List.of(new V1PodCondition().type("Ready").status("True").lastTransitionTime(now)))
                .containerStatuses(containerStatuses(c -> new V1ContainerState()
                        .running(new V1ContainerStateRunning().startedAt(now)), true, 0));
    }

    V1PodStatus crashLooping(int restarts) {
        OffsetDateTime now = OffsetDateTime.now();
        List<V1ContainerStatus> statuses = containerStatuses(c -> new V1ContainerState().waiting(
                new V1ContainerStateWaiting().reason("CrashLoopBackOff").message("back-off " + Math.min(300,
                        10 << Math.min(5, restarts - 1)) + "s restarting failed container=" + c.getName()
                        + " pod=" + jobName)), false, restarts);
        for (V1ContainerStatus cs : statuses) {
            cs.lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(1)
                    .reason("Error").startedAt(now.minusSeconds(1)).finishedAt(now)));
        }
        return new V1PodStatus().phase("Running").startTime(now).podIP("10.0.0.7")
                .conditions(List.of(new V1PodCondition().type("Ready").status("False")
                        .reason("ContainersNotReady").lastTransitionTime(now)))
                .containerStatuses(statuses);
    }

    V1PodStatus terminated(Scenario s) {
        OffsetDateTime now = OffsetDateTime.now();
        V1PodStatus status = new V1PodStatus().phase(s == Scenario.SUCCEED || s == Scenario.SLOW_START
                ? "Succeeded" : "Failed");
        switch (s) {
            case EVICTED -> status.reason("Evicted").message("The node was low on resource: memory. Threshold "
                            + "quantity: 100Mi, available: 51200Ki.")
                    .conditions(List.of(disruption("TerminationByKubelet",
                            "The node was low on resource: memory.", now)));
            case PREEMPTED -> status.conditions(List.of(disruption("PreemptionByScheduler",
                    "kube-scheduler: preempting to accommodate a higher priority pod", now)));
            default -> { }
        }
        return status.containerStatuses(containerStatuses(c -> new V1ContainerState().terminated((switch (s) {
            case SUCCEED, SLOW_START -> new V1ContainerStateTerminated().exitCode(0).reason("Completed");
            case OOM -> new V1ContainerStateTerminated().exitCode(137).reason("OOMKilled");
            case EVICTED -> new V1ContainerStateTerminated().exitCode(137).reason("ContainerStatusUnknown")
                    .message("The container could not be located when the pod was terminated");
            case PREEMPTED -> new V1ContainerStateTerminated().exitCode(143).reason("Error");
            default -> new V1ContainerStateTerminated().exitCode(1).reason("Error");
        }).finishedAt(now)), false, 0));
    }

    private V1PodCondition disruption(String reason, String message, OffsetDateTime now) {
        return new V1PodCondition().type("DisruptionTarget").status("True").reason(reason).message(message)
                .lastTransitionTime(now);
    }

    List<V1ContainerStatus> containerStatuses(Function<V1Container, V1ContainerState> state, boolean ready,
            int restarts) {
        List<V1ContainerStatus> out = new ArrayList<>();
        for (V1Container c : containers()) {
            out.add(new V1ContainerStatus().name(c.getName()).image(String.valueOf(c.getImage())).imageID("")
                    .ready(ready).started(ready).restartCount(restarts).state(state.apply(c)));
        }
        return out;
    }
}
