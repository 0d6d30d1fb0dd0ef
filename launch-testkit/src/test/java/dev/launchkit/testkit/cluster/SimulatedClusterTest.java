package dev.launchkit.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.util.Watch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {
    private SimulatedCluster cluster;
    private BatchV1Api batch;
    private CoreV1Api core;

    @BeforeEach
    void start() throws ApiException {
        cluster = SimulatedCluster.start(Duration.ofMillis(30));
        batch = new BatchV1Api(cluster.apiClient());
        core = new CoreV1Api(cluster.apiClient());
        cluster.createNamespace("ns1");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static V1Job job(String name, String scenario) {
        return new V1Job().apiVersion("batch/v1").kind("Job").metadata(new V1ObjectMeta().name(name).namespace("ns1"))
                .spec(new V1JobSpec().backoffLimit(0).template(new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(Map.of("app", "train"))
                                .annotations(scenario == null ? null : Map.of(SimulatedCluster.SCENARIO_ANNOTATION, scenario)))
                        .spec(new V1PodSpec().restartPolicy("Never").containers(List.of(
                                new V1Container().name("launch0").image("busybox"))))));
    }

    private static <T> T await(Callable<T> probe, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.call();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(20); // poll interval, bounded by the deadline
        }
    }

    private V1JobCondition terminalCondition(String name) throws Exception {
        return await(() -> {
            V1Job j = batch.readNamespacedJob(name, "ns1").execute();
            if (j.getStatus() == null || j.getStatus().getConditions() == null) {
                return null;
            }
            return j.getStatus().getConditions().stream()
                    .filter(c -> c.getType().equals("Complete") || c.getType().equals("Failed"))
                    .findFirst().orElse(null);
        }, Duration.ofSeconds(10));
    }

    @Test
    void succeedingJobGetsAnOwnedLabelledPodAndCompleteConditions() throws Exception {
        V1Job created = batch.createNamespacedJob("ns1", job("train", null)).execute();

        assertThat(terminalCondition("train").getType()).isEqualTo("Complete");
        V1Job done = batch.readNamespacedJob("train", "ns1").execute();
        assertThat(done.getStatus().getConditions()).extracting(V1JobCondition::getType)
                .containsExactly("SuccessCriteriaMet", "Complete");
        assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
        List<V1Pod> pods = core.listNamespacedPod("ns1").labelSelector("job-name=train").execute().getItems();
        assertThat(pods).hasSize(1);
        V1Pod pod = pods.get(0);
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "train")
                .containsEntry("batch.kubernetes.io/job-name", "train");
        assertThat(pod.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(core.readNamespacedPodLog(pod.getMetadata().getName(), "ns1").container("launch0").execute())
                .contains("simulated pod");
    }

    @Test
    void failingAndOomScenariosFailTheJobWithBackoffLimitExceeded() throws Exception {
        batch.createNamespacedJob("ns1", job("bad", "fail")).execute();
        batch.createNamespacedJob("ns1", job("oom", "oom")).execute();

        assertThat(terminalCondition("bad").getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(terminalCondition("oom").getType()).isEqualTo("Failed");
        V1Pod oomPod = core.listNamespacedPod("ns1").labelSelector("job-name=oom").execute().getItems().get(0);
        assertThat(oomPod.getStatus().getContainerStatuses().get(0).getState().getTerminated())
                .satisfies(t -> {
                    assertThat(t.getReason()).isEqualTo("OOMKilled");
                    assertThat(t.getExitCode()).isEqualTo(137);
                });
    }

    @Test
    void stuckScenariosLeaveThePodPendingWithTheKubeletReason() throws Exception {
        batch.createNamespacedJob("ns1", job("pull", "image-pull-backoff")).execute();
        batch.createNamespacedJob("ns1", job("nofit", "unschedulable")).execute();

        V1Pod pull = await(() -> core.listNamespacedPod("ns1").labelSelector("job-name=pull").execute().getItems()
                .stream().findFirst().orElse(null), Duration.ofSeconds(10));
        V1Pod nofit = await(() -> core.listNamespacedPod("ns1").labelSelector("job-name=nofit").execute().getItems()
                .stream().findFirst().orElse(null), Duration.ofSeconds(10));
        assertThat(pull.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pull.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                .isEqualTo("ImagePullBackOff");
        assertThat(nofit.getStatus().getConditions().get(0).getReason()).isEqualTo("Unschedulable");
    }

    @Test
    void watchOfTheOfficialClientReceivesJobUpdates() throws Exception {
        var call = batch.listNamespacedJob("ns1").watch(true).buildCall(null);
        batch.createNamespacedJob("ns1", job("watched", "succeed")).execute();
        try (Watch<V1Job> watch = Watch.createWatch(cluster.apiClient(), call,
                new com.google.gson.reflect.TypeToken<Watch.Response<V1Job>>() { }.getType())) {
            boolean sawComplete = false;
            for (Watch.Response<V1Job> event : watch) {
                V1Job j = event.object;
                if (j.getStatus() != null && j.getStatus().getConditions() != null && j.getStatus().getConditions()
                        .stream().anyMatch(c -> c.getType().equals("Complete"))) {
                    sawComplete = true;
                    break;
                }
            }
            assertThat(sawComplete).isTrue();
        }
    }

    @Test
    void discoveryListsRegisteredCustomResourcesWithVerbs() throws Exception {
        cluster.registerCustomResource("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs");
        cluster.registerCustomResource("kubeflow.org", "v1", "TFJob", "tfjobs");
        cluster.registerCustomResource("ray.io", "v1", "RayJob", "rayjobs");

        V1APIResourceList kubeflow = new CustomObjectsApi(cluster.apiClient()).getAPIResources("kubeflow.org", "v1")
                .execute();
        V1APIResourceList ray = new CustomObjectsApi(cluster.apiClient()).getAPIResources("ray.io", "v1").execute();

        assertThat(kubeflow.getResources()).extracting(V1APIResource::getName)
                .contains("pytorchjobs", "tfjobs", "pytorchjobs/status");
        assertThat(kubeflow.getResources().get(0).getVerbs()).contains("create", "watch");
        assertThat(ray.getResources()).extracting(V1APIResource::getKind).contains("RayJob");
    }

    @Test
    void requestCountCountsClientRequestsButNotTheSimulators() throws Exception {
        long before = cluster.requestCount();
        core.listNamespacedPod("ns1").execute();
        core.listNamespacedPod("ns1").execute();
        TimeUnit.MILLISECONDS.sleep(150); // let the simulator tick a few times; its requests must not count
        assertThat(cluster.requestCount() - before).isEqualTo(2);
    }

    @Test
    void openWatchCountFollowsClientWatchesOpenedAndClosed() throws Exception {
        long openedBefore = cluster.watchOpenedTotal();
        var type = new com.google.gson.reflect.TypeToken<Watch.Response<V1Job>>() { }.getType();
        Watch<V1Job> first = Watch.createWatch(cluster.apiClient(),
                batch.listNamespacedJob("ns1").watch(true).buildCall(null), type);
        Watch<V1Job> second = Watch.createWatch(cluster.apiClient(),
                batch.listNamespacedJob("ns1").watch(true).buildCall(null), type);
        Watch<V1Pod> third = Watch.createWatch(cluster.apiClient(),
                core.listNamespacedPod("ns1").watch(true).buildCall(null),
                new com.google.gson.reflect.TypeToken<Watch.Response<V1Pod>>() { }.getType());
        try {
            assertThat(cluster.openWatchCount()).isEqualTo(3);
            second.close();
            second.close(); // closing twice must not count twice
            assertThat(await(() -> cluster.openWatchCount() == 2 ? Boolean.TRUE : null, Duration.ofSeconds(5)))
                    .isTrue();
            assertThat(cluster.watchOpenedTotal() - openedBefore).isEqualTo(3);
        } finally {
            first.close();
            third.close();
        }
        assertThat(await(() -> cluster.openWatchCount() == 0 ? Boolean.TRUE : null, Duration.ofSeconds(5))).isTrue();
    }
}
