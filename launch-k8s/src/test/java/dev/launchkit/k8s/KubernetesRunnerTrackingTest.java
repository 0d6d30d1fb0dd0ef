package dev.launchkit.k8s;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.render.Fixtures;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner with the real monitor on the simulated cluster: what it creates is found and followed by the
 * monitor's owner selector, resubmissions land on the same run, and a restarted runner re-adopts its runs.
 */
class KubernetesRunnerTrackingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final SimulatedCluster cluster = SimulatedCluster.start(Duration.ofMillis(20));
    private final LaunchContext context = LaunchContext.basic(Fixtures.AGENT_ENV);
    private final List<KubernetesRunner> runners = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        // Cluster first: a watch dropped by the client while the mock still serves it can stall the mock.
        cluster.close();
        runners.forEach(KubernetesRunner::close);
        context.scheduler().shutdownNow();
    }

    private KubernetesRunner runner() {
        KubernetesRunner r = KubernetesRunner.builder(context).apiClient(cluster.apiClient()).agentNamespace("wandb")
                .settings(KubernetesRunnerSettings.defaults(context).withAdditionalTargetNamespaces(List.of("default")))
                .build();
        runners.add(r);
        return r;
    }

    private static Job seedJob(String runId, SimulatedCluster.Scenario scenario) {
        ObjectNode config = Fixtures.seedQueueConfig();
        ((ObjectNode) config.at("/spec/template")).putObject("metadata").putObject("annotations")
                .put(SimulatedCluster.SCENARIO_ANNOTATION, scenario.annotationValue());
        return Fixtures.imageJob(runId, config);
    }

    private static RunStatus end(SubmittedRun run) throws Exception {
        return run.completion().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void theSeedQueueJobRunsToSucceeded() throws Exception {
        SubmittedRun run = runner().submit(seedJob("okrun001", SimulatedCluster.Scenario.SUCCEED), IMAGE);

        assertThat(end(run).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.runId()).isEqualTo("okrun001");
        assertThat(run.queueName()).isEqualTo("k8s-test");
    }

    @Test
    void anOomKilledRunFailsWithItsReason() throws Exception {
        SubmittedRun run = runner().submit(seedJob("oomrun01", SimulatedCluster.Scenario.OOM), IMAGE);

        RunStatus status = end(run);
        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.toString()).contains("OOMKilled");
    }

    @Test
    void resubmittingARunningRunReturnsTheSameRunAndCreatesNoSecondJob() throws Exception {
        KubernetesRunner runner = runner();
        Job job = seedJob("again001", SimulatedCluster.Scenario.RUN_FOREVER);
        SubmittedRun first = runner.submit(job, IMAGE);
        SubmittedRun second = runner.submit(job, IMAGE);

        assertThat(second.id()).isEqualTo(first.id());
        assertThat(new BatchV1Api(cluster.apiClient()).listNamespacedJob("wandb").execute().getItems()).hasSize(1);
        first.cancel();
        assertThat(end(first).state()).isEqualTo(RunState.STOPPED);
    }

    @Test
    void aRestartedRunnerAdoptsTheRunsItsDeploymentStarted() throws Exception {
        KubernetesRunner before = runner();
        before.submit(seedJob("adopt001", SimulatedCluster.Scenario.RUN_FOREVER), IMAGE);
        // The first runner's agent is killed: it closes nothing (its runner is closed after the cluster).

        List<SubmittedRun> adopted = runner().adopt();

        assertThat(adopted).singleElement().satisfies(r -> {
            assertThat(r.runId()).isEqualTo("adopt001");
            assertThat(r.itemId()).isEqualTo("UnVuUXVldWVJdGVtOjQ1Njc4");
            assertThat(r.queueName()).isEqualTo("k8s-test");
        });
        adopted.get(0).cancel();
        assertThat(end(adopted.get(0)).state()).isEqualTo(RunState.STOPPED);
    }

    @Test
    void aCustomResourceIsFollowedThroughItsConditions() throws Exception {
        cluster.registerCustomResource("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs");
        SubmittedRun run = runner().submit(Fixtures.imageJob("ptjob001", Fixtures.customResource("pytorchjob.yaml")),
                IMAGE);

        CustomObjectsApi custom = new CustomObjectsApi(cluster.apiClient());
        PatchUtils.patch(Object.class, () -> custom.patchNamespacedCustomObjectStatus("kubeflow.org", "v1", "wandb",
                "pytorchjobs", "launch-ptjob001", new V1Patch("{\"status\":{\"conditions\":[{\"type\":\"Succeeded\","
                        + "\"status\":\"True\",\"reason\":\"PyTorchJobSucceeded\"}]}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, cluster.apiClient());

        assertThat(end(run).state()).isEqualTo(RunState.SUCCEEDED);
    }
}
