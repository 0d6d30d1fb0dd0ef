package dev.launchkit.k8s.monitor.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.k8s.monitor.diagnose.Finding.Kind;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodDiagnosticsTest {

    static V1Pod pod(String phase, V1ContainerStatus... statuses) {
        return new V1Pod().apiVersion("v1").kind("Pod")
                .metadata(new V1ObjectMeta().name("run-1-abcde").namespace("ns")
                        .creationTimestamp(OffsetDateTime.parse("2026-01-01T00:00:00Z"))
                        .labels(Map.of("job-name", "run-1")))
                .spec(new V1PodSpec().containers(List.of(new V1Container().name("launch0").image("repo/img:1")
                        .resources(new V1ResourceRequirements().limits(Map.of("memory", new Quantity("1Gi")))))))
                .status(new V1PodStatus().phase(phase).containerStatuses(List.of(statuses)));
    }

    static V1ContainerStatus waiting(String reason, String message) {
        return new V1ContainerStatus().name("launch0").image("repo/img:1").restartCount(0).ready(false)
                .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason(reason).message(message)));
    }

    static V1ContainerStatus terminated(String reason, int code) {
        return new V1ContainerStatus().name("launch0").image("repo/img:1").restartCount(0).ready(false)
                .state(new V1ContainerState().terminated(new V1ContainerStateTerminated().reason(reason).exitCode(code)));
    }

    static V1ContainerStatus running() {
        return new V1ContainerStatus().name("launch0").image("repo/img:1").restartCount(0).ready(true)
                .state(new V1ContainerState().running(new V1ContainerStateRunning()));
    }

    @Test
    void imagePullBackOffIsAStuckFindingNamingTheImage() {
        PodReport r = PodDiagnostics.diagnose(pod("Pending", waiting("ImagePullBackOff", "Back-off pulling image \"repo/img:1\"")));
        Finding f = r.stuck().orElseThrow();
        assertThat(f.reason()).isEqualTo("ImagePullBackOff");
        assertThat(f.message()).isEqualTo("pod run-1-abcde: container launch0 cannot pull image \"repo/img:1\" "
                + "(ImagePullBackOff): Back-off pulling image \"repo/img:1\"");
        assertThat(f.warn()).isTrue();
        assertThat(r.running()).isFalse();
        assertThat(r.mainStarted()).isFalse();
    }

    @Test
    void errImagePullAndImagePullBackOffAreDifferentProblemsButRetriedPodsAreTheSame() {
        Finding a = PodDiagnostics.diagnose(pod("Pending", waiting("ErrImagePull", "rpc error: not found"))).stuck().orElseThrow();
        Finding b = PodDiagnostics.diagnose(pod("Pending", waiting("ImagePullBackOff", "Back-off"))).stuck().orElseThrow();
        V1Pod retry = pod("Pending", waiting("ErrImagePull", "rpc error: not found"));
        retry.getMetadata().setName("run-1-fghij");
        Finding c = PodDiagnostics.diagnose(retry).stuck().orElseThrow();
        assertThat(a.key()).isNotEqualTo(b.key());
        assertThat(a.key()).isEqualTo(c.key());
    }

    @Test
    void createContainerConfigErrorQuotesTheKubeletMessage() {
        Finding f = PodDiagnostics.diagnose(pod("Pending", waiting("CreateContainerConfigError",
                "secret \"wandb-api-key-r1\" not found"))).stuck().orElseThrow();
        assertThat(f.reason()).isEqualTo("CreateContainerConfigError");
        assertThat(f.message()).contains("cannot be created").endsWith("secret \"wandb-api-key-r1\" not found");
    }

    @Test
    void crashLoopBackOffReportsTheLastExitAndKeepsItsKeyAcrossRestarts() {
        V1ContainerStatus cs = waiting("CrashLoopBackOff", "back-off 40s restarting failed container").restartCount(3)
                .lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(2).reason("Error")));
        PodReport r = PodDiagnostics.diagnose(pod("Running", cs));
        Finding f = r.failure().orElseThrow();
        assertThat(f.reason()).isEqualTo("CrashLoopBackOff");
        assertThat(f.message()).contains("restarted 3 times").contains("last exit code 2 (Error)");
        cs.restartCount(4);
        assertThat(PodDiagnostics.diagnose(pod("Running", cs)).failure().orElseThrow().key()).isEqualTo(f.key());
        assertThat(r.running()).isFalse();
        assertThat(r.mainStarted()).isTrue();
    }

    @Test
    void oomKilledNamesTheMemoryLimit() {
        PodReport r = PodDiagnostics.diagnose(pod("Failed", terminated("OOMKilled", 137)));
        Finding f = r.failure().orElseThrow();
        assertThat(f.reason()).isEqualTo("OOMKilled");
        assertThat(f.message()).isEqualTo("pod run-1-abcde: container launch0 was killed because it ran out of memory "
                + "(OOMKilled, exit code 137; memory limit 1Gi)");
        assertThat(r.failed()).isTrue();
        assertThat(r.finished()).isTrue();
    }

    @Test
    void oomKilledInThePreviousRunOfARestartingContainerIsFound() {
        V1ContainerStatus cs = running().restartCount(1)
                .lastState(new V1ContainerState().terminated(new V1ContainerStateTerminated().exitCode(137).reason("OOMKilled")));
        assertThat(PodDiagnostics.diagnose(pod("Running", cs)).failure().orElseThrow().reason()).isEqualTo("OOMKilled");
    }

    @Test
    void nonZeroExitIsAFailureButNotAWarning() {
        Finding f = PodDiagnostics.diagnose(pod("Failed", terminated("Error", 3))).failure().orElseThrow();
        assertThat(f.message()).isEqualTo("pod run-1-abcde: container launch0 exited with code 3");
        assertThat(f.warn()).isFalse();
        assertThat(PodDiagnostics.diagnose(pod("Succeeded", terminated("Completed", 0))).findings()).isEmpty();
    }

    @Test
    void unschedulableQuotesTheScheduler() {
        V1Pod p = pod("Pending");
        p.getStatus().conditions(List.of(new V1PodCondition().type("PodScheduled").status("False").reason("Unschedulable")
                .message("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")));
        Finding f = PodDiagnostics.diagnose(p).stuck().orElseThrow();
        assertThat(f.reason()).isEqualTo("Unschedulable");
        assertThat(f.message()).isEqualTo("pod run-1-abcde cannot be scheduled: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    }

    @Test
    void evictionAndDisruptionTargetAreDisruptions() {
        V1Pod evicted = pod("Failed");
        evicted.getStatus().reason("Evicted").message("The node was low on resource: memory.");
        Finding e = PodDiagnostics.diagnose(evicted).disruption().orElseThrow();
        assertThat(e.reason()).isEqualTo("Evicted");
        assertThat(e.kind()).isEqualTo(Kind.DISRUPTION);

        V1Pod preempted = pod("Failed", terminated("Error", 143));
        preempted.getStatus().conditions(List.of(new V1PodCondition().type("DisruptionTarget").status("True")
                .reason("PreemptionByScheduler").message("Preempted in order to admit critical pod")));
        PodReport r = PodDiagnostics.diagnose(preempted);
        assertThat(r.disruption().orElseThrow().reason()).isEqualTo("PreemptionByScheduler");
        assertThat(r.findings().get(0).kind()).isEqualTo(Kind.DISRUPTION);
    }

    @Test
    void podDeadlineIsAFailure() {
        V1Pod p = pod("Failed");
        p.getStatus().reason("DeadlineExceeded").message("Pod was active on the node longer than the specified deadline");
        assertThat(PodDiagnostics.diagnose(p).failure().orElseThrow().reason()).isEqualTo("DeadlineExceeded");
    }

    @Test
    void runningPodIsRunning() {
        PodReport r = PodDiagnostics.diagnose(pod("Running", running()));
        assertThat(r.running()).isTrue();
        assertThat(r.mainContainer()).isEqualTo("launch0");
        assertThat(r.findings()).isEmpty();
    }

    @Test
    void initContainerStuckOnImagePullIsFound() {
        V1Pod p = pod("Pending");
        p.getStatus().initContainerStatuses(List.of(waiting("ImagePullBackOff", "Back-off").name("code-init")));
        assertThat(PodDiagnostics.diagnose(p).stuck().orElseThrow().message()).contains("container code-init");
    }

    @Test
    void readerIgnoresFieldsTheModelDoesNotKnow() {
        V1Pod p = new PodReader().read("""
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
                 "status": {"phase": "Running", "fieldFromTheFuture": {"x": 1},
                   "containerStatuses": [{"name": "c", "ready": true, "restartCount": 0, "image": "i", "imageID": "",
                     "state": {"running": {"startedAt": "2026-01-01T00:00:01Z"}}, "newThing": true}]}}
                """);
        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
        assertThat(p.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
        assertThat(p.getMetadata().getCreationTimestamp()).isEqualTo(OffsetDateTime.parse("2026-01-01T00:00:00Z"));
    }
}
