package dev.launchkit.testkit.cluster;

import static dev.launchkit.testkit.cluster.Jobs.job;
import static dev.launchkit.testkit.cluster.Jobs.podWhere;
import static dev.launchkit.testkit.cluster.Jobs.pods;
import static dev.launchkit.testkit.cluster.Jobs.terminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One test per simulated diagnostic and terminal state (GitHub issue 4). */
class ScenarioTest {
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

    private static V1ContainerStatus container(V1Pod pod) {
        return pod.getStatus().getContainerStatuses().get(0);
    }

    @Test
    void crashLoopBackOffKeepsThePodRunningWithAGrowingRestartCountAndNeverEnds() throws Exception {
        batch.createNamespacedJob("ns1", job("crash", "crash-loop-backoff")).execute();

        V1Pod pod = podWhere(core, "crash", p -> p.getStatus().getContainerStatuses() != null
                && container(p).getRestartCount() >= 3);
        assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
        assertThat(container(pod).getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(container(pod).getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(Jobs.condition(batch.readNamespacedJob("crash", "ns1").execute(), "Complete", "Failed"))
                .isEmpty();
    }

    @Test
    void createContainerConfigErrorLeavesThePodPendingNamingTheMissingSecret() throws Exception {
        batch.createNamespacedJob("ns1", job("config", "create-container-config-error")).execute();

        V1Pod pod = podWhere(core, "config", p -> p.getStatus().getContainerStatuses() != null);
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(container(pod).getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
        assertThat(container(pod).getState().getWaiting().getMessage()).matches("secret \".+\" not found");
    }

    @Test
    void evictedPodFailsWithReasonEvictedAndTheJobFails() throws Exception {
        batch.createNamespacedJob("ns1", job("evict", "evicted")).execute();

        V1JobCondition failed = terminal(batch, "evict");
        V1Pod pod = pods(core, "evict").get(0);
        assertThat(failed.getType()).isEqualTo("Failed");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(pod.getStatus().getReason()).isEqualTo("Evicted");
        assertThat(pod.getStatus().getMessage()).contains("low on resource: memory");
    }

    @Test
    void preemptedPodGetsDisruptionTargetAndTheJobFailsAgainstItsBackoffLimit() throws Exception {
        batch.createNamespacedJob("ns1", job("preempt", "preempted")).execute();

        V1JobCondition failed = terminal(batch, "preempt");
        V1Pod pod = pods(core, "preempt").get(0);
        assertThat(failed.getType()).isEqualTo("Failed");
        assertThat(failed.getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(pod.getStatus().getConditions()).extracting(V1PodCondition::getType, V1PodCondition::getReason,
                V1PodCondition::getStatus).contains(org.assertj.core.groups.Tuple.tuple("DisruptionTarget",
                "PreemptionByScheduler", "True"));
    }

    @Test
    void deadlineExceededScenarioFailsTheJobWithDeadlineExceededAndRemovesItsPods() throws Exception {
        batch.createNamespacedJob("ns1", job("late", "deadline-exceeded")).execute();

        V1JobCondition failed = terminal(batch, "late");
        assertThat(failed.getType()).isEqualTo("Failed");
        assertThat(failed.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(pods(core, "late")).isEmpty();
    }

    @Test
    void activeDeadlineSecondsOnTheJobEndsARunForeverJobWithDeadlineExceeded() throws Exception {
        V1Job forever = job("bounded", "run-forever");
        forever.getSpec().activeDeadlineSeconds(1L);
        batch.createNamespacedJob("ns1", forever).execute();

        podWhere(core, "bounded", p -> "Running".equals(p.getStatus().getPhase()));
        V1JobCondition failed = terminal(batch, "bounded");
        assertThat(failed.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(failed.getMessage()).isEqualTo("Job was active longer than specified deadline");
        assertThat(pods(core, "bounded")).isEmpty();
    }

    @Test
    void slowStartStaysContainerCreatingForTheGivenStepsThenSucceeds() throws Exception {
        long steps = 8;
        batch.createNamespacedJob("ns1", job("slow", Map.of(SimulatedCluster.SCENARIO_ANNOTATION, "slow-start",
                SimulatedCluster.START_STEPS_ANNOTATION, Long.toString(steps)))).execute();

        V1Pod pending = podWhere(core, "slow", p -> p.getStatus().getContainerStatuses() != null);
        assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(container(pending).getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        long seenPending = System.nanoTime();
        assertThat(terminal(batch, "slow").getType()).isEqualTo("Complete");
        // 8 steps of 30 ms at least: the pod was not running after one step as a plain 'succeed' pod would be
        assertThat(Duration.ofNanos(System.nanoTime() - seenPending)).isGreaterThan(Duration.ofMillis(5 * 30));
        assertThat(pods(core, "slow").get(0).getStatus().getPhase()).isEqualTo("Succeeded");
    }

    @Test
    void logAnnotationScriptsThePodLog() throws Exception {
        batch.createNamespacedJob("ns1", job("logged", Map.of(SimulatedCluster.LOG_ANNOTATION,
                "INFO: Kaniko build done\nERROR: push denied\n"))).execute();

        V1Pod pod = podWhere(core, "logged", p -> true);
        assertThat(core.readNamespacedPodLog(pod.getMetadata().getName(), "ns1").execute())
                .isEqualTo("INFO: Kaniko build done\nERROR: push denied\n");
    }

    @Test
    void unknownScenarioFailsTheJobAndItsLogListsTheKnownScenarios() throws Exception {
        batch.createNamespacedJob("ns1", job("typo", "sucess")).execute();

        assertThat(terminal(batch, "typo").getType()).isEqualTo("Failed");
        String log = core.readNamespacedPodLog(pods(core, "typo").get(0).getMetadata().getName(), "ns1").execute();
        assertThat(log).contains("'sucess'", "crash-loop-backoff", "slow-start");
        assertThatThrownBy(() -> SimulatedCluster.Scenario.parse("sucess"))
                .hasMessageContaining(SimulatedCluster.SCENARIO_ANNOTATION).hasMessageContaining("evicted");
    }

    @Test
    void everyScenarioParsesFromItsAnnotationValue() {
        for (SimulatedCluster.Scenario s : SimulatedCluster.Scenario.values()) {
            assertThat(SimulatedCluster.Scenario.parse(" " + s.annotationValue().toUpperCase() + " ")).isEqualTo(s);
        }
    }
}
