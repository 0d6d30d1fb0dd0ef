package dev.launchkit.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API-fault suite: an in-process agent over a mixed workload while the simulated cluster answers 5xx/429, drops
 * watches, answers resumed watches 410 Gone and loses Job-create responses after storing the Job. The short version
 * runs in the default build; the full one (500 runs) with {@code -Preliability}.
 */
class ApiFaultSuiteTest {
    @Test
    void everyRunReachesItsTrueTerminalStateOnceWhileTheApiServerFails(@TempDir Path work) throws Exception {
        check(ApiFaultSuite.run(ApiFaultSuite.Settings.quick(), work));
    }

    @Test
    @EnabledIfSystemProperty(named = "launchkit.reliability", matches = "true")
    void everyRunOfTheFullWorkloadReachesItsTrueTerminalStateOnceWhileTheApiServerFails(@TempDir Path work)
            throws Exception {
        ApiFaultSuite.Result r = ApiFaultSuite.run(ApiFaultSuite.Settings.full(), work);
        System.out.println("api-fault suite, full: " + r); // the figures of the run, for BENCH.md
        check(r);
    }

    private static void check(ApiFaultSuite.Result r) {
        String seen = r.toString();
        assertThat(r.faults5xx()).as("5xx answers injected: " + seen).isPositive();
        assertThat(r.faults429()).as("429 answers injected: " + seen).isPositive();
        assertThat(r.faults().droppedWatches()).as("watches dropped: " + seen).isPositive();
        assertThat(r.faults().expiredWatches()).as("410 Gone on resume: " + seen).isPositive();
        assertThat(r.lostCreateResponses()).as("Job creates stored but answered 504: " + seen).isPositive();
        assertThat(r.crashes()).as("agent poll loop died: " + seen).isZero();
        assertThat(r.outcome().problems()).as(seen).isEmpty();
        assertThat(r.outcome().lost()).isZero();
        assertThat(r.outcome().duplicated()).isZero();
        assertThat(r.outcome().wrongOutcome()).isZero();
        assertThat(r.outcome().doubleReports()).isZero();
        assertThat(r.repeatedReports()).as("items the agent reported terminal twice: " + seen).isZero();
        assertThat(r.reportCalls()).as("terminal reports the agent made: one per item").isEqualTo(r.outcome().runs());
        assertThat(r.outcome().ended()).isEqualTo(r.outcome().runs());
        assertThat(r.outcome().jobs()).as("exactly one Job per item").isEqualTo(r.outcome().runs());
        assertThat(r.clean()).isTrue();
    }
}
