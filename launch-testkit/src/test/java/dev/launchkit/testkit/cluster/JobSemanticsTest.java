package dev.launchkit.testkit.cluster;

import static dev.launchkit.testkit.cluster.Jobs.await;
import static dev.launchkit.testkit.cluster.Jobs.condition;
import static dev.launchkit.testkit.cluster.Jobs.job;
import static dev.launchkit.testkit.cluster.Jobs.podWhere;
import static dev.launchkit.testkit.cluster.Jobs.pods;
import static dev.launchkit.testkit.cluster.Jobs.terminal;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodFailurePolicy;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyOnExitCodesRequirement;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyOnPodConditionsPattern;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyRule;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Job controller semantics the simulator reproduces: retries, completions, suspend, garbage collection. */
class JobSemanticsTest {
    private static SimulatedCluster cluster;
    private static BatchV1Api batch;
    private static CoreV1Api core;

    @BeforeAll
    static void start() throws ApiException {
        cluster = SimulatedCluster.start(Duration.ofMillis(30));
        batch = new BatchV1Api(cluster.apiClient());
        core = new CoreV1Api(cluster.apiClient());
        cluster.createNamespace("ns1");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void failingJobWithBackoffLimitTwoGetsANewPodPerAttemptThenBackoffLimitExceeded() throws Exception {
        V1Job retried = job("retry", "fail");
        retried.getSpec().backoffLimit(2);
        batch.createNamespacedJob("ns1", retried).execute();

        V1JobCondition failed = terminal(batch, "retry");
        assertThat(failed.getType()).isEqualTo("Failed");
        assertThat(failed.getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(batch.readNamespacedJob("retry", "ns1").execute().getStatus().getFailed()).isEqualTo(3);
        List<V1Pod> attempts = pods(core, "retry");
        assertThat(attempts).hasSize(3).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Failed"));
        assertThat(attempts).extracting(p -> p.getMetadata().getName()).doesNotHaveDuplicates();
    }

    @Test
    void jobWithThreeCompletionsIsCompleteOnlyAfterThreeSucceededPods() throws Exception {
        V1Job three = job("three", "succeed");
        three.getSpec().completions(3).parallelism(1);
        List<V1Job> seen = new ArrayList<>();
        try (Watch<V1Job> watch = Watch.createWatch(cluster.apiClient(), batch.listNamespacedJob("ns1")
                        .fieldSelector("metadata.name=three").watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1Job>>() { }.getType())) {
            batch.createNamespacedJob("ns1", three).execute();
            for (Watch.Response<V1Job> event : watch) {
                seen.add(event.object);
                if (condition(event.object, "Complete", "Failed").isPresent()) {
                    break;
                }
            }
        }

        V1Job done = seen.get(seen.size() - 1);
        assertThat(condition(done, "Complete")).isPresent();
        assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
        assertThat(seen).anySatisfy(j -> {
            assertThat(j.getStatus()).isNotNull();
            assertThat(j.getStatus().getSucceeded()).isEqualTo(1);
            assertThat(condition(j, "Complete")).isEmpty();
        });
        assertThat(pods(core, "three")).hasSize(3)
                .allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Succeeded"));
    }

    @Test
    void suspendedJobGetsNoPodsUntilPatchedToRunLikeKueueAdmitsIt() throws Exception {
        V1Job queued = job("queued", "succeed");
        queued.getSpec().suspend(true);
        batch.createNamespacedJob("ns1", queued).execute();

        V1JobCondition suspended = await(() -> condition(batch.readNamespacedJob("queued", "ns1").execute(),
                "Suspended").orElse(null), Duration.ofSeconds(10));
        assertThat(suspended.getReason()).isEqualTo("JobSuspended");
        TimeUnit.MILLISECONDS.sleep(200); // several simulation steps in which a suspended Job must stay without pods
        assertThat(pods(core, "queued")).isEmpty();

        PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJob("queued", "ns1",
                        new V1Patch("{\"spec\":{\"suspend\":false}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, cluster.apiClient());

        assertThat(terminal(batch, "queued").getType()).isEqualTo("Complete");
        V1Job done = batch.readNamespacedJob("queued", "ns1").execute();
        assertThat(done.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Suspended");
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("JobResumed");
        });
        assertThat(pods(core, "queued")).hasSize(1);
    }

    @Test
    void cancelWithBackgroundPropagationLeavesNoPodAndNoOwnedSecret() throws Exception {
        V1Job created = batch.createNamespacedJob("ns1", job("cancel", "run-forever")).execute();
        podWhere(core, "cancel", p -> "Running".equals(p.getStatus().getPhase()));
        core.createNamespacedSecret("ns1", new V1Secret().apiVersion("v1").kind("Secret").metadata(new V1ObjectMeta()
                .name("cancel-env").namespace("ns1").ownerReferences(List.of(new V1OwnerReference()
                        .apiVersion("batch/v1").kind("Job").name("cancel").uid(created.getMetadata().getUid()))))
                .stringData(Map.of("WANDB_API_KEY", "x"))).execute();
        core.createNamespacedSecret("ns1", new V1Secret().apiVersion("v1").kind("Secret")
                .metadata(new V1ObjectMeta().name("unrelated").namespace("ns1"))).execute();

        batch.deleteNamespacedJob("cancel", "ns1").propagationPolicy("Background").execute();

        await(() -> pods(core, "cancel").isEmpty(), Duration.ofSeconds(10));
        await(() -> core.listNamespacedSecret("ns1").execute().getItems().stream()
                .noneMatch(s -> s.getMetadata().getName().equals("cancel-env")), Duration.ofSeconds(10));
        assertThat(core.readNamespacedSecret("unrelated", "ns1").execute().getMetadata().getName())
                .isEqualTo("unrelated");
    }

    @Test
    void deleteWithOrphanPropagationLeavesThePods() throws Exception {
        batch.createNamespacedJob("ns1", job("orphan", "run-forever")).execute();
        podWhere(core, "orphan", p -> "Running".equals(p.getStatus().getPhase()));

        batch.deleteNamespacedJob("orphan", "ns1").propagationPolicy("Orphan").execute();
        batch.createNamespacedJob("ns1", job("marker", "run-forever")).execute();
        podWhere(core, "marker", p -> true); // the simulator has handled every earlier event by now

        assertThat(pods(core, "orphan")).hasSize(1);
    }

    @Test
    void podFailurePolicyIgnoringDisruptionsRetriesAPreemptedPodWithoutCountingIt() throws Exception {
        V1Job tolerant = job("tolerant", "preempted");
        tolerant.getSpec().podFailurePolicy(new V1PodFailurePolicy().rules(List.of(new V1PodFailurePolicyRule()
                .action("Ignore").onPodConditions(List.of(new V1PodFailurePolicyOnPodConditionsPattern()
                        .type("DisruptionTarget").status("True"))))));
        batch.createNamespacedJob("ns1", tolerant).execute();

        assertThat(terminal(batch, "tolerant").getType()).isEqualTo("Complete");
        V1Job done = batch.readNamespacedJob("tolerant", "ns1").execute();
        assertThat(done.getStatus().getFailed()).isZero();
        assertThat(pods(core, "tolerant")).extracting(p -> p.getStatus().getPhase())
                .containsExactlyInAnyOrder("Failed", "Succeeded");
    }

    @Test
    void podFailurePolicyFailJobOnExitCodeEndsTheJobDespiteBackoffLimit() throws Exception {
        V1Job strict = job("strict", "fail");
        strict.getSpec().backoffLimit(5).podFailurePolicy(new V1PodFailurePolicy().rules(List.of(
                new V1PodFailurePolicyRule().action("FailJob").onExitCodes(
                        new V1PodFailurePolicyOnExitCodesRequirement().operator("In").values(List.of(1))))));
        batch.createNamespacedJob("ns1", strict).execute();

        V1JobCondition failed = terminal(batch, "strict");
        assertThat(failed.getReason()).isEqualTo("PodFailurePolicy");
        assertThat(failed.getMessage()).contains("failed with exit code 1 matching FailJob rule at index 0");
        assertThat(pods(core, "strict")).hasSize(1);
    }

    @Test
    void ttlSecondsAfterFinishedDeletesTheFinishedJobAndItsPods() throws Exception {
        V1Job shortLived = job("ttl", "succeed");
        shortLived.getSpec().ttlSecondsAfterFinished(0);
        V1Job kept = job("no-ttl", "succeed");
        batch.createNamespacedJob("ns1", shortLived).execute();
        batch.createNamespacedJob("ns1", kept).execute();

        assertThat(terminal(batch, "no-ttl").getType()).isEqualTo("Complete");
        await(() -> batch.listNamespacedJob("ns1").execute().getItems().stream()
                .noneMatch(j -> j.getMetadata().getName().equals("ttl")), Duration.ofSeconds(10));
        await(() -> pods(core, "ttl").isEmpty(), Duration.ofSeconds(10));
        assertThat(pods(core, "no-ttl")).hasSize(1);
    }

    @Test
    void deletingTheRunningPodOfAJobCountsAsAFailureAndTheControllerReplacesIt() throws Exception {
        V1Job job = job("replace", "run-forever");
        job.getSpec().backoffLimit(3);
        batch.createNamespacedJob("ns1", job).execute();
        V1Pod first = podWhere(core, "replace", p -> "Running".equals(p.getStatus().getPhase()));

        core.deleteNamespacedPod(first.getMetadata().getName(), "ns1").execute();

        V1Pod second = podWhere(core, "replace", p -> !p.getMetadata().getName().equals(first.getMetadata().getName()));
        assertThat(second.getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("replace");
        assertThat(await(() -> batch.readNamespacedJob("replace", "ns1").execute().getStatus().getFailed(),
                Duration.ofSeconds(10))).isEqualTo(1);
    }
}
