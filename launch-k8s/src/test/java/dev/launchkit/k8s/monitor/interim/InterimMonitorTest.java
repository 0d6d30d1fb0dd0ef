package dev.launchkit.k8s.monitor.interim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.Labels;
import dev.launchkit.k8s.monitor.KubernetesRunMonitor;
import dev.launchkit.k8s.monitor.MonitorSettings;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InterimMonitorTest {

    @Test
    void jobCompletes() throws Exception {
        try (MockApi api = new MockApi()) {
            LaunchContext ctx = LaunchContext.basic(Map.of());
            KubernetesRunMonitor monitor = KubernetesRunMonitor.builder(api.client, ctx).owner("o1")
                    .settings(MonitorSettings.defaults()).build();
            BatchV1Api batch = new BatchV1Api(api.client);
            Map<String, String> labels = Map.of(Labels.MONITOR, "true", Labels.OWNER, "o1", Labels.RUN_ID, "r1");
            batch.createNamespacedJob("ns", new V1Job().apiVersion("batch/v1").kind("Job")
                    .metadata(new V1ObjectMeta().name("j1").namespace("ns").labels(labels))
                    .spec(new V1JobSpec().template(new V1PodTemplateSpec().spec(new V1PodSpec()
                            .containers(List.of(new V1Container().name("launch0").image("i"))))))).execute();
            Job job = new Job("item1", "q", "", LaunchSpec.empty().withRunId("r1"), new JobSource.Unresolved("x"), "r1", Map.of());
            SubmittedRun run = monitor.track(new KubeObjectRef("ns", "batch/v1", "Job", "jobs", "j1"), job);
            List<RunStatus> seen = new CopyOnWriteArrayList<>();
            run.addListener(new RunListener() {
                @Override
                public void status(RunStatus s) {
                    seen.add(s);
                }
            });
            new CoreV1Api(api.client).createNamespacedPod("ns", new V1Pod().apiVersion("v1").kind("Pod")
                    .metadata(new V1ObjectMeta().name("j1-abc").namespace("ns").labels(Map.of(Labels.MONITOR, "true",
                            Labels.OWNER, "o1", Labels.RUN_ID, "r1", "job-name", "j1")))
                    .spec(new V1PodSpec().containers(List.of(new V1Container().name("launch0").image("i"))))
                    .status(new io.kubernetes.client.openapi.models.V1PodStatus().phase("Running")
                            .containerStatuses(List.of(new io.kubernetes.client.openapi.models.V1ContainerStatus()
                                    .name("launch0").image("i").imageID("").ready(true).restartCount(0)
                                    .state(new io.kubernetes.client.openapi.models.V1ContainerState()
                                            .running(new io.kubernetes.client.openapi.models.V1ContainerStateRunning())))))).execute();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (run.status().state() != RunState.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(run.status().state()).isEqualTo(RunState.RUNNING);
            PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJobStatus("j1", "ns",
                    new V1Patch("{\"status\":{\"succeeded\":1,\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}")).buildCall(null),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, api.client);
            RunStatus end = run.completion().get(5, TimeUnit.SECONDS);
            assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
            assertThat(seen).extracting(RunStatus::state).containsSubsequence(RunState.STARTING, RunState.RUNNING, RunState.SUCCEEDED);
            assertThat(monitor.watchCount()).isEqualTo(2);
            assertThat(api.openWatches.get()).isEqualTo(2);
            run.markReported();
            assertThat(batch.readNamespacedJob("j1", "ns").execute().getMetadata().getAnnotations())
                    .containsKey(KubernetesRunMonitor.REPORTED_ANNOTATION);
            monitor.close();
            ctx.scheduler().shutdownNow();
            Duration.ofMillis(1);
        }
    }
}
