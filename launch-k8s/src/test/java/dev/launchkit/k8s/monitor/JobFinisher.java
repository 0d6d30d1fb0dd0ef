package dev.launchkit.k8s.monitor;

import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.util.PatchUtils;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Ends the pods of a simulated {@code run-forever} Job when the test says so, through the API as the kubelet and Job
 * controller would: so a test controls exactly which runs end before, during and after an agent restart.
 */
final class JobFinisher {
    private final SimulatedCluster cluster;

    JobFinisher(SimulatedCluster cluster) {
        this.cluster = cluster;
    }

    /** Ends every pod of the Job with {@code exitCode} (and the log it printed), then sets the Job's conditions. */
    void finish(String namespace, String job, int exitCode, String log) throws ApiException {
        finish(namespace, job, exitCode, log, new CoreV1Api(cluster.apiClient()).listNamespacedPod(namespace)
                .labelSelector("job-name=" + job).execute().getItems());
    }

    /** Like {@link #finish(String, String, int, String)}, with the Job's pods already read. */
    void finish(String namespace, String job, int exitCode, String log, List<V1Pod> pods) throws ApiException {
        CoreV1Api core = new CoreV1Api(cluster.apiClient());
        if (pods.isEmpty()) {
            throw new IllegalStateException("Job " + namespace + "/" + job + " has no pods to finish");
        }
        for (V1Pod pod : pods) {
            cluster.setLog(namespace, pod.getMetadata().getName(), log);
            V1ContainerStatus main = pod.getStatus().getContainerStatuses().get(0);
            main.ready(false).state(new V1ContainerState().terminated(new V1ContainerStateTerminated()
                    .exitCode(exitCode).reason(exitCode == 0 ? "Completed" : "Error")
                    .finishedAt(OffsetDateTime.now())));
            pod.status(new V1PodStatus().phase(exitCode == 0 ? "Succeeded" : "Failed")
                    .containerStatuses(List.of(main)).startTime(pod.getStatus().getStartTime()));
            core.replaceNamespacedPodStatus(pod.getMetadata().getName(), namespace, pod).execute();
        }
        String now = OffsetDateTime.now().toString();
        String status = exitCode == 0
                ? "{\"status\":{\"active\":0,\"ready\":0,\"succeeded\":" + pods.size() + ",\"conditions\":["
                        + condition("SuccessCriteriaMet", "CompletionsReached", now) + ","
                        + condition("Complete", "CompletionsReached", now) + "]}}"
                : "{\"status\":{\"active\":0,\"ready\":0,\"failed\":" + pods.size() + ",\"conditions\":["
                        + condition("FailureTarget", "BackoffLimitExceeded", now) + ","
                        + condition("Failed", "BackoffLimitExceeded", now) + "]}}";
        BatchV1Api batch = new BatchV1Api(cluster.apiClient());
        PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJobStatus(job, namespace, new V1Patch(status))
                .buildCall(null), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, cluster.apiClient());
    }

    private static String condition(String type, String reason, String now) {
        return "{\"type\":\"" + type + "\",\"status\":\"True\",\"reason\":\"" + reason + "\",\"lastProbeTime\":\""
                + now + "\",\"lastTransitionTime\":\"" + now + "\"}";
    }
}
