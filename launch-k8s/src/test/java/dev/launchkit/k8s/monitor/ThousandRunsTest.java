package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunState;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.Labels;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 1,000 runs at once on one monitor: the watch connections to the API server stay what they are for 10 runs (one
 * shared watch per namespace and kind, never one per run), and every run still reaches its end.
 */
class ThousandRunsTest {
    private final SimulatedRuns sim = new SimulatedRuns(Duration.ofMillis(50), "");
    private final KubernetesRunMonitor monitor = KubernetesRunMonitor.builder(sim.cluster.apiClient(), sim.context)
            .owner("launch").settings(MonitorSettings.defaults().withFollowLogs(false)).build();

    @AfterEach
    void stop() {
        sim.close();
        monitor.close();
    }

    @Test
    void watchConnectionsDoNotGrowWithTheNumberOfRunsAndEveryRunEnds() throws Exception {
        Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
        List<SubmittedRun> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            runs.add(submit(i));
        }
        await("10 runs running", () -> runs.stream().allMatch(r -> r.status().state() == RunState.RUNNING));
        int watchesAt10 = sim.cluster.openWatchCount();
        long watchesOpenedAt10 = sim.cluster.watchOpenedTotal();
        int monitorWatchesAt10 = monitor.watchCount();

        for (int i = 10; i < 1000; i++) {
            runs.add(submit(i));
        }
        await("1,000 runs running at once", () -> runs.stream().allMatch(r -> r.status().state() == RunState.RUNNING));

        assertThat(watchesAt10).isEqualTo(2);   // Jobs and pods of one namespace
        assertThat(sim.cluster.openWatchCount()).isEqualTo(watchesAt10);
        assertThat(sim.cluster.watchOpenedTotal()).as("watches opened, closed ones included")
                .isEqualTo(watchesOpenedAt10);
        assertThat(monitor.watchCount()).isEqualTo(monitorWatchesAt10);

        assertThat(monitor.trackedCount()).isEqualTo(1000);
        JobFinisher finisher = new JobFinisher(sim.cluster);
        Map<String, List<V1Pod>> podsByJob = new CoreV1Api(sim.cluster.apiClient()).listNamespacedPod(NAMESPACE)
                .execute().getItems().stream()
                .collect(Collectors.groupingBy(p -> p.getMetadata().getLabels().get("job-name")));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                done.add(pool.submit(() -> {
                    finisher.finish(NAMESPACE, "scale-" + n, n % 10 == 0 ? 1 : 0, "", podsByJob.get("scale-" + n));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        CompletableFuture.allOf(runs.stream().map(SubmittedRun::completion).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 1000; i++) {
            assertThat(runs.get(i).status().state()).as("run %d", i)
                    .isEqualTo(i % 10 == 0 ? RunState.FAILED : RunState.SUCCEEDED);
        }
        assertThat(sim.cluster.openWatchCount()).isEqualTo(watchesAt10);
    }

    private SubmittedRun submit(int i) throws Exception {
        String name = "scale-" + i;
        String runId = "scale" + i;
        Map<String, String> labels = Map.of(Labels.MONITOR, "true", Labels.OWNER, "launch", Labels.RUN_ID, runId);
        ApiClient client = sim.cluster.apiClient();
        new BatchV1Api(client).createNamespacedJob(NAMESPACE, new V1Job().apiVersion("batch/v1").kind("Job")
                .metadata(new V1ObjectMeta().name(name).namespace(NAMESPACE).labels(labels))
                .spec(new V1JobSpec().backoffLimit(0).template(new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels)
                                .annotations(Map.of(SimulatedCluster.SCENARIO_ANNOTATION, "run-forever")))
                        .spec(new V1PodSpec().restartPolicy("Never")
                                .containers(List.of(new V1Container().name("launch0").image("trainer:1")))))))
                .execute();
        Job job = new Job("item-" + i, "k8s-test", "", LaunchSpec.empty().withRunId(runId),
                new JobSource.Unresolved("scale test"), runId, Map.of());
        return monitor.track(new KubeObjectRef(NAMESPACE, "batch/v1", "Job", "jobs", name), job);
    }
}
