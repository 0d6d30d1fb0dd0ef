package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.await;
import static dev.launchkit.k8s.monitor.SimulatedRuns.end;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.RunState;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.FaultCounts;
import dev.launchkit.testkit.cluster.Faults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor on an unreliable API server: watch resumes answered with 410 Expired (relist) and some requests,
 * watches included, failing with 500 or 429. Every run still reaches its own end, and
 * reopened watches replace the old ones rather than pile up.
 */
class WatchFaultsTest {
    private final SimulatedRuns sim = new SimulatedRuns(Duration.ofMillis(60), "");

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void runsEndCorrectlyThroughDroppedWatchesExpiredResourceVersionsAndServerErrors() throws Exception {
        KubernetesRunner runner = sim.runner();
        // No dropped streams: the mock's watch teardown can stall its event loop (see SimulatedRuns#close).
        sim.cluster.injectFaults(Faults.builder().goneOnResume(true).errorRate(0.05).statuses(500, 429).seed(7)
                .build());
        List<SubmittedRun> runs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String scenario = i % 4 == 3 ? "fail" : "slow-start";
            runs.add(runner.submit(job(String.format("fault%03d", i), scenario,
                    Map.of("sim.launchkit.dev/start-steps", "4"), c -> { }), IMAGE));
        }

        for (int i = 0; i < runs.size(); i++) {
            assertThat(end(runs.get(i)).state()).as("run %d", i)
                    .isEqualTo(i % 4 == 3 ? RunState.FAILED : RunState.SUCCEEDED);
        }

        FaultCounts faults = sim.cluster.faultCounts();
        assertThat(faults.expiredWatches()).isPositive();
        assertThat(faults.errors()).isPositive();
        sim.cluster.clearFaults();
        await("the reopened watches to settle", () -> sim.cluster.openWatchCount() <= 2);
    }
}
