package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.await;
import static dev.launchkit.k8s.monitor.SimulatedRuns.end;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.monitor.SimulatedRuns.Recording;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cancel (background-propagated delete, nothing left behind), log streaming and log tails, and warnings given once
 * per run, on the simulated cluster.
 */
class CancelAndLogsTest {
    private final SimulatedRuns sim = new SimulatedRuns();
    private final ApiClient api = sim.cluster.apiClient();
    private final KubernetesRunner runner = sim.runner();

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void cancelDeletesTheJobWithBackgroundPropagationAndLeavesNoPodOrSecretBehind() throws Exception {
        SubmittedRun run = runner.submit(job("cancel01", "run-forever"), IMAGE);
        await("the run to be running", () -> run.status().state() == RunState.RUNNING);
        V1Job job = new BatchV1Api(api).readNamespacedJob("launch-cancel01", NAMESPACE).execute();
        List<V1Secret> secrets = secrets();
        assertThat(secrets).isNotEmpty().allSatisfy(s -> assertThat(s.getMetadata().getOwnerReferences())
                .anySatisfy(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid())));
        assertThat(pods()).isNotEmpty();

        run.cancel();

        RunStatus status = end(run);
        assertThat(status.state()).isEqualTo(RunState.STOPPED);
        assertThat(status.reason()).isEqualTo("Cancelled");
        assertThat(new BatchV1Api(api).listNamespacedJob(NAMESPACE).execute().getItems()).isEmpty();
        await("the garbage collector to remove the pods and Secrets", () -> pods().isEmpty() && secrets().isEmpty());
        run.cancel();   // idempotent
        assertThat(run.status().state()).isEqualTo(RunState.STOPPED);
    }

    @Test
    void theMainContainersLogIsStreamedToListenersWhileTheRunRuns() throws Exception {
        SubmittedRun run = runner.submit(job("logrun01", "run-forever",
                Map.of("sim.launchkit.dev/log", "step 1 loss 0.9\nstep 2 loss 0.7\n"), c -> { }), IMAGE);
        Recording seen = Recording.of(run);

        await("log lines to reach the listener", () -> seen.logs.contains("step 2 loss 0.7"));

        assertThat(seen.logs).containsSubsequence("step 1 loss 0.9", "step 2 loss 0.7");
        assertThat(run.logTail()).contains("step 1 loss 0.9\nstep 2 loss 0.7");
        run.cancel();
    }

    @Test
    void aFailedRunKeepsTheEndOfItsLogForTheFailureMessage() throws Exception {
        SubmittedRun run = runner.submit(job("tailrun1", "fail",
                Map.of("sim.launchkit.dev/log", "loading data\nTraceback (most recent call last):\n"
                        + "ValueError: learning rate must be positive\n"), c -> { }), IMAGE);

        assertThat(end(run).state()).isEqualTo(RunState.FAILED);

        assertThat(run.logTail()).endsWith("ValueError: learning rate must be positive\n");
    }

    @Test
    void aProblemSeenAgainAndAgainIsOneWarningPerRunAndEveryRunGetsItsOwn() throws Exception {
        SubmittedRun first = runner.submit(job("pullaaa1", "image-pull-backoff"), IMAGE);
        SubmittedRun second = runner.submit(job("pullbbb2", "image-pull-backoff"), IMAGE);
        Recording one = Recording.of(first);
        Recording two = Recording.of(second);
        await("both runs to warn", () -> !one.warnings.isEmpty() && !two.warnings.isEmpty());

        // The pods change again and again (as the kubelet's back-off does), each time still ImagePullBackOff.
        for (int i = 0; i < 5; i++) {
            for (V1Pod pod : pods()) {
                touch(pod.getMetadata().getName(), i);
            }
        }
        // The pod watch delivers in order: once a later run's pod was seen, so were all the changes above.
        SubmittedRun third = runner.submit(job("pullccc3", "image-pull-backoff"), IMAGE);
        Recording three = Recording.of(third);
        await("a later run to warn", () -> !three.warnings.isEmpty());

        assertThat(one.warnings).singleElement().asString().contains("ImagePullBackOff").contains("launch-pullaaa1");
        assertThat(two.warnings).singleElement().asString().contains("ImagePullBackOff").contains("launch-pullbbb2");
        assertThat(three.warnings).singleElement();
        first.cancel();
        second.cancel();
        third.cancel();
    }

    private void touch(String pod, int i) throws Exception {
        CoreV1Api core = new CoreV1Api(api);
        PatchUtils.patch(V1Pod.class, () -> core.patchNamespacedPod(pod, NAMESPACE,
                new V1Patch("{\"metadata\":{\"annotations\":{\"test/touch\":\"" + i + "\"}}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, api);
    }

    private List<V1Pod> pods() {
        try {
            return new CoreV1Api(api).listNamespacedPod(NAMESPACE).execute().getItems();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<V1Secret> secrets() {
        try {
            return new CoreV1Api(api).listNamespacedSecret(NAMESPACE).execute().getItems();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
