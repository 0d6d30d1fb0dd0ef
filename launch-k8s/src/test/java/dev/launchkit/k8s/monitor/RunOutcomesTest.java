package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.end;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.monitor.SimulatedRuns.Recording;
import dev.launchkit.k8s.monitor.status.StatusMappers;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One test per terminal state and per diagnostic, each a real run: the runner creates the seed queue's Job on the
 * simulated cluster, whose kubelet plays the scenario, and the monitor follows it over the official client's
 * watches to the state, reason, warnings and log tail the queue item gets.
 */
class RunOutcomesTest {
    private SimulatedRuns sim;

    private KubernetesRunner runner(String config) {
        return runner(Duration.ofMillis(20), config);
    }

    private KubernetesRunner runner(Duration step, String config) {
        sim = new SimulatedRuns(step, config);
        return sim.runner();
    }

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void aJobWhosePodExitsZeroSucceedsThroughStartingAndRunning() throws Exception {
        // Steps long enough that the running pod is seen even by a cold JVM.
        SubmittedRun run = runner(Duration.ofMillis(250), "").submit(job("okrun001", "succeed"), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(seen.statuses).extracting(RunStatus::state)
                .containsSubsequence(RunState.STARTING, RunState.RUNNING, RunState.SUCCEEDED);
        assertThat(seen.warnings).isEmpty();
    }

    @Test
    void aJobWhosePodExitsNonZeroFailsNamingTheExitCodeAndTheBackoffLimit() throws Exception {
        SubmittedRun run = runner("").submit(job("failrun1", "fail"), IMAGE);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.message()).contains("exited with code 1").contains("BackoffLimitExceeded");
        assertThat(run.logTail()).contains("simulated pod launch-failrun1");
    }

    @Test
    void anOomKilledPodFailsTheRunAsOomKilled() throws Exception {
        SubmittedRun run = runner("").submit(job("oomrun01", "oom"), IMAGE);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.reason()).isEqualTo("OOMKilled");
        assertThat(status.message()).contains("ran out of memory").contains("exit code 137");
    }

    @Test
    void anImageThatCannotBePulledWarnsOnceAndFailsTheRunAtTheStartTimeout() throws Exception {
        SubmittedRun run = runner("start_timeout: 2").submit(job("pullrun1", "image-pull-backoff"), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.reason()).isEqualTo("StartTimeout");
        assertThat(status.message()).contains("did not start within 2 s").contains("ImagePullBackOff")
                .contains(IMAGE.toString());
        assertThat(seen.warnings).singleElement().asString().contains("cannot pull image").contains("ImagePullBackOff");
        assertThat(seen.statuses).extracting(RunStatus::reason).contains("ImagePullBackOff");
        SimulatedRuns.await("the timed-out Job to be deleted", () -> jobs(sim) == 0);
    }

    @Test
    void anUnschedulablePodWarnsWithTheSchedulersMessageAndTimesOut() throws Exception {
        SubmittedRun run = runner("start_timeout: 2").submit(job("gpurun01", "unschedulable"), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.reason()).isEqualTo("StartTimeout");
        assertThat(status.message()).contains("Unschedulable")
                .contains("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
        assertThat(seen.warnings).singleElement().asString().contains("cannot be scheduled")
                .contains("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    }

    @Test
    void aWarningGivenBeforeTheAgentListensStillReachesItAsForARunAdoptedAfterARestart() throws Exception {
        KubernetesRunner before = runner("");
        SubmittedRun stuck = before.submit(job("pullold1", "image-pull-backoff"), IMAGE);
        SimulatedRuns.await("the first runner to see the image pull fail",
                () -> stuck.status().reason().equals("ImagePullBackOff"));
        // The first agent is killed: it closes nothing (its runner is closed with the cluster at the end).

        // adopt() reads the pods before it returns, so the warning is given before anyone can listen.
        SubmittedRun adopted = sim.runner().adopt().get(0);
        Recording seen = Recording.of(adopted);

        SimulatedRuns.await("the warning", () -> !seen.warnings.isEmpty());
        assertThat(seen.warnings).singleElement().asString().contains("ImagePullBackOff").contains("launch-pullold1");
        assertThat(seen.statuses.get(0).reason()).isEqualTo("ImagePullBackOff");
        adopted.cancel();
    }

    @Test
    void aCrashLoopingContainerWarnsOnceThoughItsRestartsGrowAndTheRunTimesOutNamingIt() throws Exception {
        SubmittedRun run = runner("start_timeout: 2").submit(job("crashrun", "crash-loop-backoff"), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.message()).contains("CrashLoopBackOff");
        assertThat(seen.statuses).extracting(RunStatus::reason).contains("CrashLoopBackOff");
        assertThat(seen.warnings).singleElement().asString().contains("keeps crashing (CrashLoopBackOff")
                .contains("last exit code 1");
    }

    @Test
    void aContainerThatCannotBeCreatedWarnsWithTheKubeletsMessage() throws Exception {
        SubmittedRun run = runner("start_timeout: 2").submit(job("cfgerr01", "create-container-config-error"),
                IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.message()).contains("CreateContainerConfigError").contains("not found");
        assertThat(seen.warnings).singleElement().asString().contains("cannot be created (CreateContainerConfigError)")
                .contains("not found");
    }

    @Test
    void anEvictedPodOfAJobWithoutRetriesEndsTheRunAsPreemptedNotFailed() throws Exception {
        SubmittedRun run = runner("").submit(job("evictrun", "evicted", Map.of(), backoffLimit(0)), IMAGE);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.PREEMPTED);
        assertThat(status.message()).contains("taken away by the platform").contains("low on resource: memory");
    }

    @Test
    void aPreemptedPodEndsTheRunAsPreemptedWithTheSchedulersReason() throws Exception {
        SubmittedRun run = runner("").submit(job("preempt1", "preempted", Map.of(), backoffLimit(0)), IMAGE);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.PREEMPTED);
        assertThat(status.reason()).isEqualTo("PreemptionByScheduler");
        assertThat(status.message()).contains("preempting to accommodate a higher priority pod");
    }

    @Test
    void aJobPastItsDeadlineFailsAsDeadlineExceeded() throws Exception {
        SubmittedRun run = runner("").submit(job("deadline", "deadline-exceeded"), IMAGE);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.reason()).isEqualTo("DeadlineExceeded");
        assertThat(status.message()).contains("active longer than specified deadline");
    }

    @Test
    void aJobThatRetriesUnderItsBackoffLimitAndThenSucceedsSucceeds() throws Exception {
        SubmittedRun run = runner("").submit(job("retryok1", "preempted", Map.of(), backoffLimit(2)), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(seen.statuses).extracting(RunStatus::state).doesNotContain(RunState.FAILED, RunState.PREEMPTED);
        assertThat(pods(sim)).isGreaterThanOrEqualTo(2);   // the preempted pod and its replacement
    }

    @Test
    void aJobNeedingThreeCompletionsSucceedsOnlyAfterTheThird() throws Exception {
        SubmittedRun run = runner(Duration.ofMillis(40), "").submit(job("complete", "succeed", Map.of(), c -> {
            ((ObjectNode) c.get("spec")).put("completions", 3).put("parallelism", 1);
        }), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(status.message()).isEqualTo("3 of 3 completions succeeded");
        assertThat(pods(sim)).isEqualTo(3);
        assertThat(seen.statuses).extracting(RunStatus::message).contains("1 of 3 completions succeeded");
    }

    @Test
    void aJobSuspendedForKueueIsQueuedAndTheStartTimeoutDoesNotFire() throws Exception {
        SubmittedRun run = runner("start_timeout: 0.5").submit(job("kueued01", "succeed", Map.of(), c -> {
            ((ObjectNode) c.get("metadata")).with("labels").put(StatusMappers.KUEUE_QUEUE_LABEL, "team-a");
            ((ObjectNode) c.get("spec")).put("suspend", true);
        }), IMAGE);
        Recording seen = Recording.of(run);
        SimulatedRuns.await("the run to be queued", () -> run.status().state() == RunState.QUEUED);

        // Three start timeouts pass; Kueue has not admitted it, so it must still wait.
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() - until < 0) {
            assertThat(run.completion()).isNotDone();
            Thread.sleep(50);
        }
        assertThat(run.status().state()).isEqualTo(RunState.QUEUED);
        assertThat(run.status().message()).contains("team-a");

        // Kueue admits it: the Job is unsuspended and runs to the end.
        BatchV1Api batch = new BatchV1Api(sim.cluster.apiClient());
        PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJob("launch-kueued01", NAMESPACE,
                new V1Patch("{\"spec\":{\"suspend\":false}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, sim.cluster.apiClient());
        assertThat(end(run).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(seen.statuses).extracting(RunStatus::state).containsSubsequence(RunState.QUEUED,
                RunState.SUCCEEDED);
    }

    private static Consumer<ObjectNode> backoffLimit(int limit) {
        return c -> ((ObjectNode) c.get("spec")).put("backoffLimit", limit);
    }

    private static int jobs(SimulatedRuns sim) {
        try {
            return new BatchV1Api(sim.cluster.apiClient()).listNamespacedJob(NAMESPACE).execute().getItems().size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int pods(SimulatedRuns sim) {
        try {
            return new CoreV1Api(sim.cluster.apiClient()).listNamespacedPod(NAMESPACE).execute().getItems().size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
