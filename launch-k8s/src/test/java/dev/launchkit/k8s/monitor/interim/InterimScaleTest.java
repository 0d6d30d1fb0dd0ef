package dev.launchkit.k8s.monitor.interim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunState;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.Labels;
import dev.launchkit.k8s.monitor.KubernetesRunMonitor;
import dev.launchkit.k8s.monitor.MonitorSettings;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.util.PatchUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InterimScaleTest {

    @Test
    void thousandRuns() throws Exception {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").setLevel(java.util.logging.Level.WARNING);
        try (MockApi api = new MockApi()) {
            LaunchContext ctx = LaunchContext.basic(Map.of());
            KubernetesRunMonitor monitor = KubernetesRunMonitor.builder(api.client, ctx).owner("o1")
                    .settings(MonitorSettings.defaults()).build();
            BatchV1Api batch = new BatchV1Api(api.client);
            List<SubmittedRun> runs = new ArrayList<>();
            long b0 = System.nanoTime();
            for (int i = 0; i < 300; i++) {
                batch.createNamespacedJob("other", new V1Job().apiVersion("batch/v1").kind("Job")
                        .metadata(new V1ObjectMeta().name("x" + i).namespace("other"))
                        .spec(new V1JobSpec().template(new V1PodTemplateSpec().spec(new V1PodSpec()
                                .containers(List.of(new V1Container().name("launch0").image("i"))))))).execute();
            }
            System.out.printf("baseline 300 creates %d ms%n", (System.nanoTime() - b0) / 1_000_000);
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                String name = "j" + i;
                Map<String, String> labels = Map.of(Labels.MONITOR, "true", Labels.OWNER, "o1", Labels.RUN_ID, "r" + i);
                batch.createNamespacedJob("ns", new V1Job().apiVersion("batch/v1").kind("Job")
                        .metadata(new V1ObjectMeta().name(name).namespace("ns").labels(labels))
                        .spec(new V1JobSpec().template(new V1PodTemplateSpec().spec(new V1PodSpec()
                                .containers(List.of(new V1Container().name("launch0").image("i"))))))).execute();
                Job job = new Job("item" + i, "q", "", LaunchSpec.empty().withRunId("r" + i), new JobSource.Unresolved("x"), "r" + i, Map.of());
                runs.add(monitor.track(new KubeObjectRef("ns", "batch/v1", "Job", "jobs", name), job));
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                String name = "j" + i;
                PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJobStatus(name, "ns",
                        new V1Patch("{\"status\":{\"succeeded\":1,\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}")).buildCall(null),
                        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, api.client);
            }
            long t2 = System.nanoTime();
            CompletableFuture.allOf(runs.stream().map(SubmittedRun::completion).toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long t3 = System.nanoTime();
            System.out.printf("create+track %d ms, patch %d ms, drain %d ms, watches %d%n", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, api.openWatches.get());
            assertThat(runs).allMatch(r -> r.status().state() == RunState.SUCCEEDED);
            assertThat(api.openWatches.get()).isEqualTo(2);
            monitor.close();
            ctx.scheduler().shutdownNow();
        }
    }
}
