package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.await;
import static dev.launchkit.k8s.monitor.SimulatedRuns.end;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.Labels;
import dev.launchkit.k8s.monitor.SimulatedRuns.Recording;
import dev.launchkit.k8s.render.Fixtures;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.util.PatchUtils;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs whose pods the test creates and moves, as a controller the simulator does not have would (a Kubeflow
 * PyTorchJob's operator, a kubelet failing an image pull with ErrImagePull): the monitor finds them by the run's
 * labels and owner, streams the leader's log, and keeps the log of every pod for the failure message.
 */
class ScriptedPodsTest {
    private final SimulatedRuns sim = new SimulatedRuns();
    private final ApiClient api = sim.cluster.apiClient();
    private final KubernetesRunner runner = sim.runner();

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aMultiPodCustomResourceStreamsTheMastersLogAndItsFailureQuotesEveryPodsLog() throws Exception {
        sim.cluster.registerCustomResource("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs");
        SubmittedRun run = runner.submit(Fixtures.imageJob("ptjob002", Fixtures.customResource("pytorchjob.yaml")),
                IMAGE);
        Recording seen = Recording.of(run);
        Map<?, ?> pytorchJob = (Map<?, ?>) new CustomObjectsApi(api).getNamespacedCustomObject("kubeflow.org", "v1",
                NAMESPACE, "pytorchjobs", "launch-ptjob002").execute();
        String uid = String.valueOf(((Map<?, ?>) pytorchJob.get("metadata")).get("uid"));

        sim.cluster.setLog(NAMESPACE, "launch-ptjob002-master-0", "master: rank 0 up\nmaster: epoch 1\n");
        sim.cluster.setLog(NAMESPACE, "launch-ptjob002-worker-0", "worker: rank 1 up\nRuntimeError: NCCL timeout\n");
        createPod("launch-ptjob002-master-0", "master", uid, running());
        createPod("launch-ptjob002-worker-0", "worker", uid, running());
        await("the master's log to be streamed", () -> seen.logs.contains("master: epoch 1"));
        assertThat(run.status().state()).isEqualTo(RunState.RUNNING);

        setStatus("launch-ptjob002-worker-0", terminated(1, "Error"));
        setStatus("launch-ptjob002-master-0", terminated(137, "Error"));
        CustomObjectsApi custom = new CustomObjectsApi(api);
        PatchUtils.patch(Object.class, () -> custom.patchNamespacedCustomObjectStatus("kubeflow.org", "v1", NAMESPACE,
                "pytorchjobs", "launch-ptjob002", new V1Patch("{\"status\":{\"conditions\":[{\"type\":\"Failed\","
                        + "\"status\":\"True\",\"reason\":\"PyTorchJobFailed\",\"message\":\"worker 0 failed\"}]}}"))
                .buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, api);

        RunStatus status = end(run);
        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.message()).contains("exited with code").contains("PyTorchJobFailed");
        assertThat(run.logTail()).contains("==> pod launch-ptjob002-master-0", "master: epoch 1",
                "==> pod launch-ptjob002-worker-0", "RuntimeError: NCCL timeout");
        assertThat(seen.logs).startsWith("master: rank 0 up", "master: epoch 1");
    }

    @Test
    void anErrImagePullWaitingContainerWarnsThatTheImageCannotBePulled() throws Exception {
        SubmittedRun run = runner.submit(SimulatedRuns.job("errpull1", "manual"), IMAGE);
        Recording seen = Recording.of(run);
        createPod("launch-errpull1-0-abcde", null, null, new V1PodStatus().phase("Pending")
                .containerStatuses(List.of(new V1ContainerStatus().name("launch0").image(IMAGE.toString())
                        .imageID("").ready(false).restartCount(0).state(new V1ContainerState()
                                .waiting(new V1ContainerStateWaiting().reason("ErrImagePull").message(
                                        "failed to pull and unpack image: 401 Unauthorized"))))));

        await("the warning", () -> !seen.warnings.isEmpty());

        assertThat(seen.warnings).singleElement().asString().contains("cannot pull image").contains("ErrImagePull")
                .contains("401 Unauthorized");
        assertThat(run.status().state()).isEqualTo(RunState.STARTING);
        assertThat(run.status().reason()).isEqualTo("ErrImagePull");
        run.cancel();
        assertThat(end(run).state()).isEqualTo(RunState.STOPPED);
    }

    /**
     * A pod as the run's controller creates it: the pod template's run labels, and either the Kubeflow replica
     * labels and owner ({@code replicaType} set) or the Job's {@code job-name} label.
     */
    private void createPod(String name, String replicaType, String ownerUid, V1PodStatus status) throws Exception {
        String runId = name.substring("launch-".length(), name.indexOf('-', "launch-".length()));
        V1ObjectMeta meta = new V1ObjectMeta().name(name).namespace(NAMESPACE).labels(new HashMap<>(Map.of(
                Labels.MONITOR, "true", Labels.OWNER, "launch", Labels.RUN_ID, runId)));
        if (replicaType != null) {
            meta.getLabels().put("training.kubeflow.org/replica-type", replicaType);
            meta.ownerReferences(List.of(new V1OwnerReference().apiVersion("kubeflow.org/v1").kind("PyTorchJob")
                    .name("launch-" + runId).uid(ownerUid).controller(true)));
        } else {
            meta.getLabels().put("job-name", "launch-" + runId);
        }
        V1Pod pod = new V1Pod().apiVersion("v1").kind("Pod").metadata(meta)
                .spec(new V1PodSpec().containers(List.of(new V1Container().name(replicaType == null ? "launch0"
                        : "pytorch").image(IMAGE.toString()))));
        CoreV1Api core = new CoreV1Api(api);
        V1Pod created = core.createNamespacedPod(NAMESPACE, pod).execute();
        created.setStatus(status);
        core.replaceNamespacedPodStatus(name, NAMESPACE, created).execute();
    }

    private void setStatus(String name, V1PodStatus status) throws Exception {
        CoreV1Api core = new CoreV1Api(api);
        V1Pod pod = core.readNamespacedPod(name, NAMESPACE).execute();
        pod.setStatus(status);
        core.replaceNamespacedPodStatus(name, NAMESPACE, pod).execute();
    }

    private static V1PodStatus running() {
        return new V1PodStatus().phase("Running").startTime(OffsetDateTime.now()).containerStatuses(List.of(
                new V1ContainerStatus().name("pytorch").image(IMAGE.toString()).imageID("").ready(true)
                        .restartCount(0).started(true).state(new V1ContainerState()
                                .running(new V1ContainerStateRunning().startedAt(OffsetDateTime.now())))));
    }

    private static V1PodStatus terminated(int exitCode, String reason) {
        return new V1PodStatus().phase("Failed").startTime(OffsetDateTime.now()).containerStatuses(List.of(
                new V1ContainerStatus().name("pytorch").image(IMAGE.toString()).imageID("").ready(false)
                        .restartCount(0).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                                .exitCode(exitCode).reason(reason).finishedAt(OffsetDateTime.now())))));
    }
}
