package dev.launchkit.k8s.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.RunState;
import dev.launchkit.k8s.monitor.diagnose.Finding;
import dev.launchkit.k8s.monitor.diagnose.Finding.Kind;
import dev.launchkit.k8s.monitor.diagnose.PodReport;
import dev.launchkit.k8s.monitor.status.ObjectStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunVerdictTest {
    private static final Finding OOM = new Finding(Kind.FAILURE, "OOMKilled", "container launch0 was OOMKilled", "OOMKilled|launch0", true);
    private static final Finding PREEMPTED = new Finding(Kind.DISRUPTION, "PreemptionByScheduler", "pod p was preempted", "D", true);
    private static final Finding PULL = new Finding(Kind.STUCK, "ImagePullBackOff", "cannot pull", "I", true);
    private static final ObjectStatus BACKOFF = ObjectStatus.failed("BackoffLimitExceeded", "Job has reached the specified backoff limit");

    private static PodReport pod(String name, String phase, int createdSecond, Finding... findings) {
        return new PodReport(name, phase, phase.equals("Running"), phase.equals("Failed") || phase.equals("Succeeded"),
                "launch0", 0, !phase.equals("Pending"), Instant.ofEpochSecond(createdSecond), Map.of(), List.of(findings));
    }

    @Test
    void failureNamesThePodCauseThenTheJobReason() {
        ObjectStatus v = RunVerdict.decide(BACKOFF, List.of(pod("p1", "Failed", 1, OOM)));
        assertThat(v.state()).isEqualTo(RunState.FAILED);
        assertThat(v.reason()).isEqualTo("OOMKilled");
        assertThat(v.message()).isEqualTo("container launch0 was OOMKilled (BackoffLimitExceeded: Job has reached the specified backoff limit)");
    }

    @Test
    void deadlineExceededStaysTheReasonWithThePodProblemAppended() {
        ObjectStatus v = RunVerdict.decide(ObjectStatus.failed("DeadlineExceeded", "Job was active longer than specified deadline"),
                List.of(pod("p1", "Pending", 1, PULL)));
        assertThat(v.reason()).isEqualTo("DeadlineExceeded");
        assertThat(v.message()).isEqualTo("Job was active longer than specified deadline; cannot pull");
    }

    @Test
    void failedRunWhoseLastAttemptWasPreemptedIsPreempted() {
        ObjectStatus v = RunVerdict.decide(BACKOFF, List.of(pod("p1", "Failed", 1, PREEMPTED)));
        assertThat(v.state()).isEqualTo(RunState.PREEMPTED);
        assertThat(v.reason()).isEqualTo("PreemptionByScheduler");
    }

    @Test
    void preemptionFollowedByARetryThatFailedOnItsOwnIsAFailure() {
        ObjectStatus v = RunVerdict.decide(BACKOFF, List.of(pod("p1", "Failed", 1, PREEMPTED), pod("p2", "Failed", 30, OOM)));
        assertThat(v.state()).isEqualTo(RunState.FAILED);
        assertThat(v.reason()).isEqualTo("OOMKilled");
    }

    @Test
    void workersKilledWithAPreemptedPeerInTheSameAttemptArePreempted() {
        Finding exit = new Finding(Kind.FAILURE, "Error", "exited with code 1", "E", false);
        ObjectStatus v = RunVerdict.decide(ObjectStatus.failed("PyTorchJobFailed", ""),
                List.of(pod("master", "Failed", 5, PREEMPTED), pod("worker", "Failed", 5, exit)));
        assertThat(v.state()).isEqualTo(RunState.PREEMPTED);
    }

    @Test
    void preemptedPodWhileTheJobStillRetriesIsNotTheEnd() {
        ObjectStatus v = RunVerdict.decide(ObjectStatus.starting(), List.of(pod("p1", "Failed", 1, PREEMPTED), pod("p2", "Running", 20)));
        assertThat(v.state()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void stuckPodMakesTheRunStartingWithTheReason() {
        ObjectStatus v = RunVerdict.decide(ObjectStatus.starting(), List.of(pod("p1", "Pending", 1, PULL)));
        assertThat(v).isEqualTo(ObjectStatus.starting("ImagePullBackOff", "cannot pull"));
    }

    @Test
    void queuedObjectStaysQueued() {
        ObjectStatus q = ObjectStatus.queued("Suspended", "waiting for Kueue");
        assertThat(RunVerdict.decide(q, List.of())).isEqualTo(q);
    }

    @Test
    void successIsTheObjectsEvenWithFailedPods() {
        ObjectStatus ok = ObjectStatus.succeeded("Completed", "");
        assertThat(RunVerdict.decide(ok, List.of(pod("p1", "Failed", 1, OOM), pod("p2", "Succeeded", 9)))).isEqualTo(ok);
    }

    @Test
    void failureWithoutPodsKeepsTheObjectsWords() {
        assertThat(RunVerdict.decide(BACKOFF, List.of())).isEqualTo(BACKOFF);
    }
}
