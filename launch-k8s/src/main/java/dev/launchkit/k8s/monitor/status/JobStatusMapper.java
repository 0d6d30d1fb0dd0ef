package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.k8s.monitor.status.Conditions.Condition;
import java.util.List;
import java.util.Optional;

/**
 * Maps a {@code batch/v1} Job from its conditions, as the Job controller intends them to be read.
 *
 * <p>{@code Failed} / {@code FailureTarget} mean failed (the reason is {@code BackoffLimitExceeded},
 * {@code DeadlineExceeded}, {@code PodFailurePolicy}, ...); {@code Complete} / {@code SuccessCriteriaMet} mean
 * succeeded. The pod counters are never used to decide the outcome: {@code succeeded == 1} finishes a
 * {@code completions: 4} Job too early and {@code failed >= 1} fails a Job that still has retries under
 * {@code backoffLimit}. {@code FailureTarget} and {@code SuccessCriteriaMet} (Kubernetes 1.31+) are set as soon
 * as the outcome is decided, before the remaining pods are terminated, so the run ends without waiting for them.
 */
public final class JobStatusMapper implements StatusMapper {

    @Override
    public ObjectStatus map(JsonNode job) {
        List<Condition> conditions = Conditions.trueConditions(job);
        Optional<Condition> failed = Conditions.find(conditions, "Failed")
                .or(() -> Conditions.find(conditions, "FailureTarget"));
        if (failed.isPresent()) {
            Condition c = failed.get();
            return ObjectStatus.failed(c.reason().isEmpty() ? "Failed" : c.reason(), c.message());
        }
        Optional<Condition> done = Conditions.find(conditions, "Complete")
                .or(() -> Conditions.find(conditions, "SuccessCriteriaMet"));
        if (done.isPresent()) {
            return ObjectStatus.succeeded("Completed", progress(job));
        }
        JsonNode status = job.path("status");
        if (status.path("ready").asInt(0) > 0) {
            return ObjectStatus.running("", progress(job));
        }
        return ObjectStatus.starting();
    }

    /** {@code "2 of 4 completions succeeded"} for Jobs with more than one completion; empty otherwise. */
    private static String progress(JsonNode job) {
        int completions = job.path("spec").path("completions").asInt(1);
        if (completions <= 1) {
            return "";
        }
        int succeeded = job.path("status").path("succeeded").asInt(0);
        return succeeded + " of " + completions + " completions succeeded";
    }
}
