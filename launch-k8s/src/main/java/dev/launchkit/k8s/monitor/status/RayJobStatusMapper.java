package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Maps a KubeRay {@code ray.io} {@code RayJob} from {@code status.jobDeploymentStatus} (the operator's view:
 * Initializing, Running, Complete, Failed, Suspended, Retrying, ...) and {@code status.jobStatus} (the Ray job's
 * own result: PENDING, RUNNING, SUCCEEDED, FAILED, STOPPED).
 *
 * <p>The outcome is read only once the deployment is {@code Complete} or {@code Failed}. When the Ray job itself
 * {@code SUCCEEDED} the run succeeded even if the deployment says {@code Failed}: KubeRay had releases where the
 * submitter Job failed after the Ray job had succeeded (ray-project/kuberay#1919), and the user's work was done.
 */
public final class RayJobStatusMapper implements StatusMapper {

    @Override
    public ObjectStatus map(JsonNode rayJob) {
        JsonNode status = rayJob.path("status");
        String deployment = status.path("jobDeploymentStatus").asText("").toLowerCase(Locale.ROOT);
        String job = status.path("jobStatus").asText("").toUpperCase(Locale.ROOT);
        String reason = status.path("reason").asText("");
        String message = status.path("message").asText("");
        switch (deployment) {
            case "complete", "failed" -> {
                return switch (job) {
                    case "SUCCEEDED" -> ObjectStatus.succeeded("Completed", message);
                    case "STOPPED" -> new ObjectStatus(dev.launchkit.core.RunState.STOPPED, "Stopped",
                            message.isEmpty() ? "the Ray job was stopped" : message);
                    default -> ObjectStatus.failed(failureReason(reason, job, deployment),
                            message.isEmpty() ? "the RayJob ended with job status " + (job.isEmpty() ? "unknown" : job)
                                    : message);
                };
            }
            case "running" -> {
                return ObjectStatus.running();
            }
            case "suspended", "suspending" -> {
                return ObjectStatus.queued("Suspended", "the RayJob is suspended");
            }
            case "retrying" -> {
                return ObjectStatus.starting("Retrying", message);
            }
            default -> {
                return ObjectStatus.starting();
            }
        }
    }

    private static String failureReason(String reason, String job, String deployment) {
        if (!reason.isEmpty()) {
            return reason;
        }
        return job.equals("FAILED") || deployment.equals("complete") ? "AppFailed" : "Failed";
    }
}
