package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.end;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.monitor.SimulatedRuns.Recording;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.time.Duration;
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
        sim = new SimulatedRuns(Duration.ofMillis(20), config);
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
        SubmittedRun run = runner("").submit(job("okrun001", "succeed"), IMAGE);
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
        SubmittedRun run = runner("start_timeout: 1").submit(job("pullrun1", "image-pull-backoff"), IMAGE);
        Recording seen = Recording.of(run);

        RunStatus status = end(run);

        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.reason()).isEqualTo("StartTimeout");
        assertThat(status.message()).contains("did not start within 1 s").contains("ImagePullBackOff")
                .contains(IMAGE.toString());
        assertThat(seen.warnings).singleElement().asString().contains("cannot pull image").contains("ImagePullBackOff");
        assertThat(seen.statuses).extracting(RunStatus::reason).contains("ImagePullBackOff");
        SimulatedRuns.await("the timed-out Job to be deleted", () -> jobs(sim) == 0);
    }

    @Test
    void anUnschedulablePodWarnsWithTheSchedulersMessageAndTimesOut() throws Exception {
        SubmittedRun run = runner("start_timeout: 1").submit(job("gpurun01", "unschedulable"), IMAGE);
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
        before.close();

        // adopt() reads the pods before it returns, so the warning is given before anyone can listen.
        SubmittedRun adopted = sim.runner().adopt().get(0);
        Recording seen = Recording.of(adopted);

        SimulatedRuns.await("the warning", () -> !seen.warnings.isEmpty());
        assertThat(seen.warnings).singleElement().asString().contains("ImagePullBackOff").contains("launch-pullold1");
        assertThat(seen.statuses.get(0).reason()).isEqualTo("ImagePullBackOff");
        adopted.cancel();
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
