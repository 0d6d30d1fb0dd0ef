package dev.launchkit.k8s.monitor.status;

import static dev.launchkit.k8s.monitor.Json.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.RunState;
import org.junit.jupiter.api.Test;

class StatusMappersTest {
    private final StatusMappers mappers = StatusMappers.defaults();

    private ObjectStatus map(String object) {
        return mappers.map(json(object));
    }

    @Test
    void jobWithCompleteConditionSucceeded() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "status": {"succeeded": 1,
                 "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]}}
                """);
        assertThat(s.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(s.reason()).isEqualTo("Completed");
    }

    @Test
    void jobWithOneOfFourCompletionsIsNotFinished() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "spec": {"completions": 4},
                 "status": {"succeeded": 1, "active": 1, "ready": 1}}
                """);
        assertThat(s.state()).isEqualTo(RunState.RUNNING);
        assertThat(s.message()).isEqualTo("1 of 4 completions succeeded");
    }

    @Test
    void jobWithAFailedPodButRetriesLeftIsNotFailed() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "spec": {"backoffLimit": 3},
                 "status": {"failed": 1, "active": 1}}
                """);
        assertThat(s.state()).isEqualTo(RunState.STARTING);
    }

    @Test
    void jobFailedConditionCarriesItsReasonAndMessage() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "status": {"failed": 4, "conditions": [
                  {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"},
                  {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}}
                """);
        assertThat(s).isEqualTo(ObjectStatus.failed("BackoffLimitExceeded", "Job has reached the specified backoff limit"));
    }

    @Test
    void jobFailureTargetEndsTheRunBeforeThePodsAreGone() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "status": {"active": 2, "conditions": [
                  {"type": "FailureTarget", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"}]}}
                """);
        assertThat(s.state()).isEqualTo(RunState.FAILED);
        assertThat(s.reason()).isEqualTo("DeadlineExceeded");
    }

    @Test
    void jobConditionsThatAreFalseDoNotCount() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "status": {"conditions": [{"type": "Failed", "status": "False"}]}}
                """);
        assertThat(s.state()).isEqualTo(RunState.STARTING);
    }

    @Test
    void suspendedJobWithKueueLabelIsQueued() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"labels": {"kueue.x-k8s.io/queue-name": "team-a"}},
                 "spec": {"suspend": true}, "status": {"conditions": [{"type": "Suspended", "status": "True"}]}}
                """);
        assertThat(s.state()).isEqualTo(RunState.QUEUED);
        assertThat(s.message()).contains("team-a");
    }

    @Test
    void suspendedJobWithoutKueueIsStartingSoTheTimeoutCanFire() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "spec": {"suspend": true}}
                """);
        assertThat(s.state()).isEqualTo(RunState.STARTING);
        assertThat(s.reason()).isEqualTo("Suspended");
    }

    @Test
    void finishedJobIsNotQueuedEvenIfSuspendedAfterwards() {
        ObjectStatus s = map("""
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"labels": {"kueue.x-k8s.io/queue-name": "q"}},
                 "spec": {"suspend": true}, "status": {"conditions": [{"type": "Complete", "status": "True"}]}}
                """);
        assertThat(s.state()).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void volcanoJobUsesStateDotPhase() {
        assertThat(map("{\"apiVersion\": \"batch.volcano.sh/v1alpha1\", \"kind\": \"Job\", \"status\": {\"state\": {\"phase\": \"Running\"}}}").state())
                .isEqualTo(RunState.RUNNING);
        ObjectStatus aborted = map("""
                {"apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job", "status": {"state": {"phase": "Aborted", "message": "killed by user"}}}
                """);
        assertThat(aborted).isEqualTo(ObjectStatus.failed("Aborted", "killed by user"));
        assertThat(map("{\"apiVersion\": \"batch.volcano.sh/v1alpha1\", \"kind\": \"Job\", \"status\": {\"state\": {\"phase\": \"Completed\"}}}").state())
                .isEqualTo(RunState.SUCCEEDED);
        assertThat(map("{\"apiVersion\": \"batch.volcano.sh/v1alpha1\", \"kind\": \"Job\", \"status\": {\"state\": {\"phase\": \"Pending\"}}}").state())
                .isEqualTo(RunState.STARTING);
    }

    @Test
    void unknownKindWithPhaseIsMappedByThePhaseTable() {
        assertThat(map("{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"Workflow\", \"status\": {\"phase\": \"Error\", \"message\": \"boom\"}}"))
                .isEqualTo(ObjectStatus.failed("Error", "boom"));
        assertThat(map("{\"apiVersion\": \"x.io/v1\", \"kind\": \"Thing\", \"status\": {\"phase\": \"Warming\"}}"))
                .isEqualTo(ObjectStatus.starting("Warming", ""));
    }

    @Test
    void pytorchJobUsesConditionsAndTheLatestTerminalOneWins() {
        ObjectStatus running = map("""
                {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "status": {"conditions": [
                  {"type": "Created", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"},
                  {"type": "Running", "status": "True", "lastTransitionTime": "2026-01-01T00:01:00Z"}]}}
                """);
        assertThat(running.state()).isEqualTo(RunState.RUNNING);
        ObjectStatus failed = map("""
                {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "status": {"conditions": [
                  {"type": "Created", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"},
                  {"type": "Running", "status": "False", "lastTransitionTime": "2026-01-01T00:01:00Z"},
                  {"type": "Failed", "status": "True", "reason": "PyTorchJobFailed", "message": "master failed",
                   "lastTransitionTime": "2026-01-01T00:02:00Z"}]}}
                """);
        assertThat(failed).isEqualTo(ObjectStatus.failed("PyTorchJobFailed", "master failed"));
        ObjectStatus succeeded = map("""
                {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "status": {"conditions": [
                  {"type": "Running", "status": "True", "lastTransitionTime": "2026-01-01T00:01:00Z"},
                  {"type": "Succeeded", "status": "True", "reason": "PyTorchJobSucceeded", "lastTransitionTime": "2026-01-01T00:02:00Z"}]}}
                """);
        assertThat(succeeded.state()).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void kubeflowRunPolicySuspendUnderKueueIsQueued() {
        ObjectStatus s = map("""
                {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"labels": {"kueue.x-k8s.io/queue-name": "gpu"}},
                 "spec": {"runPolicy": {"suspend": true}}}
                """);
        assertThat(s.state()).isEqualTo(RunState.QUEUED);
    }

    @Test
    void jobSetReadsTerminalStateConditionsAndReplicatedJobs() {
        assertThat(map("""
                {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "status": {"replicatedJobsStatus": [
                  {"name": "workers", "ready": 2, "active": 2}]}}
                """).state()).isEqualTo(RunState.RUNNING);
        assertThat(map("""
                {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "status": {"replicatedJobsStatus": [
                  {"name": "workers", "ready": 0, "active": 2}]}}
                """).state()).isEqualTo(RunState.STARTING);
        assertThat(map("""
                {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "status": {"terminalState": "Completed",
                 "conditions": [{"type": "StartupPolicyCompleted", "status": "True"}, {"type": "Completed", "status": "True"}]}}
                """).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(map("""
                {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "status": {"conditions": [
                  {"type": "Failed", "status": "True", "reason": "FailedJobs", "message": "jobset failed due to one or more job failures"}]}}
                """)).isEqualTo(ObjectStatus.failed("FailedJobs", "jobset failed due to one or more job failures"));
        assertThat(map("""
                {"apiVersion": "jobset.x-k8s.io/v1alpha2", "kind": "JobSet", "status": {"conditions": [
                  {"type": "StartupPolicyCompleted", "status": "True"}]}}
                """).state()).isEqualTo(RunState.STARTING);
    }

    @Test
    void rayJobMapsDeploymentAndJobStatus() {
        assertThat(map(ray("Initializing", "")).state()).isEqualTo(RunState.STARTING);
        assertThat(map(ray("Running", "RUNNING")).state()).isEqualTo(RunState.RUNNING);
        assertThat(map(ray("Complete", "SUCCEEDED")).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(map(ray("Complete", "FAILED"))).isEqualTo(ObjectStatus.failed("AppFailed", "the RayJob ended with job status FAILED"));
        assertThat(map(ray("Complete", "STOPPED")).state()).isEqualTo(RunState.STOPPED);
        assertThat(map(ray("Suspended", "")).state()).isEqualTo(RunState.QUEUED);
        // kuberay#1919: the submitter failed after the Ray job itself had succeeded.
        assertThat(map(ray("Failed", "SUCCEEDED")).state()).isEqualTo(RunState.SUCCEEDED);
        ObjectStatus deadline = map("""
                {"apiVersion": "ray.io/v1", "kind": "RayJob", "status": {"jobDeploymentStatus": "Failed",
                 "reason": "DeadlineExceeded", "message": "The RayJob has passed the activeDeadlineSeconds."}}
                """);
        assertThat(deadline).isEqualTo(ObjectStatus.failed("DeadlineExceeded", "The RayJob has passed the activeDeadlineSeconds."));
    }

    private static String ray(String deployment, String job) {
        return "{\"apiVersion\": \"ray.io/v1\", \"kind\": \"RayJob\", \"status\": {\"jobDeploymentStatus\": \""
                + deployment + "\", \"jobStatus\": \"" + job + "\"}}";
    }

    @Test
    void objectWithoutStatusIsStarting() {
        assertThat(map("{\"apiVersion\": \"example.com/v1\", \"kind\": \"Thing\"}")).isEqualTo(ObjectStatus.starting());
        assertThat(map("{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\"}")).isEqualTo(ObjectStatus.starting());
    }

    @Test
    void configuredConditionsDecideTheEndOfAnyKind() {
        StatusMappers m = mappers.withConditions(ConfigNode.of(json("""
                [{"apiVersion": "example.com/*", "kind": "Trainer",
                  "success_condition": "status.phase == Done", "failure_condition": "status.failed > 2"}]
                """), "launch-config.yaml"));
        assertThat(m.map(json("{\"apiVersion\": \"example.com/v2\", \"kind\": \"Trainer\", \"status\": {\"phase\": \"Done\"}}")))
                .isEqualTo(ObjectStatus.succeeded("SuccessCondition", "successCondition 'status.phase == Done' matched"));
        ObjectStatus failed = m.map(json("{\"apiVersion\": \"example.com/v1\", \"kind\": \"Trainer\", \"status\": {\"phase\": \"Done\", \"failed\": 3, \"message\": \"3 workers died\"}}"));
        assertThat(failed.state()).isEqualTo(RunState.FAILED);
        assertThat(failed.message()).isEqualTo("failureCondition 'status.failed > 2' matched: 3 workers died");
        // Before the end, the kind's previous mapper (generic: phase) still reads the state; its own "done" words
        // no longer end the run.
        assertThat(m.map(json("{\"apiVersion\": \"example.com/v1\", \"kind\": \"Trainer\", \"status\": {\"phase\": \"Running\"}}")).state())
                .isEqualTo(RunState.RUNNING);
        assertThat(m.map(json("{\"apiVersion\": \"example.com/v1\", \"kind\": \"Trainer\", \"status\": {\"phase\": \"Succeeded\"}}")).state())
                .isEqualTo(RunState.RUNNING);
    }

    @Test
    void configuredConditionsAcceptArgoSpelling() {
        StatusMappers m = mappers.withConditions(ConfigNode.of(json("""
                [{"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "successCondition": "status.done == true"}]
                """), "launch-config.yaml"));
        assertThat(m.map(json("{\"apiVersion\": \"kubeflow.org/v1\", \"kind\": \"PyTorchJob\", \"status\": {\"done\": true}}")).state())
                .isEqualTo(RunState.SUCCEEDED);
        assertThat(m.map(json("""
                {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "status": {"conditions": [{"type": "Running", "status": "True"}]}}
                """)).state()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void badConditionConfigNamesTheKey() {
        assertThatThrownBy(() -> mappers.withConditions(ConfigNode.of(json("""
                [{"apiVersion": "example.com/v1", "kind": "T", "failure_condition": "status.failed >"}]
                """), "launch-config.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("launch-config.yaml: [0].failure_condition: not a valid condition")
                .hasMessageContaining("expected a value");
        assertThatThrownBy(() -> mappers.withConditions(ConfigNode.of(json("""
                [{"apiVersion": "example.com/v1", "kind": "T"}]
                """), "launch-config.yaml")))
                .hasMessageContaining("needs success_condition or failure_condition");
        assertThatThrownBy(() -> mappers.withConditions(ConfigNode.of(json("""
                [{"apiVersion": "v1", "kind": "T", "success_condition": "a"}]
                """), "launch-config.yaml")))
                .hasMessageContaining("apiVersion: 'v1' is not group/version");
        assertThatThrownBy(() -> mappers.withConditions(ConfigNode.of(json("{\"kind\": \"T\"}"), "launch-config.yaml")))
                .hasMessageContaining("expected a list");
    }

    @Test
    void customMapperReplacesTheBuiltInOne() {
        StatusMappers m = mappers.with("batch/v1", "Job", o -> ObjectStatus.failed("Custom", "always"));
        assertThat(m.map(json("{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\"}")).reason()).isEqualTo("Custom");
        assertThat(mappers.map(json("{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\"}")).reason()).isEmpty();
    }
}
