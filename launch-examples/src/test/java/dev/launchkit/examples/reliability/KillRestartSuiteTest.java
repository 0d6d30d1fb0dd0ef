package dev.launchkit.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent JVMs killed at random points over a directory-queue workload on the simulated cluster: every run ends once
 * with its true outcome. The default build runs the short size; {@code -Preliability} the full one (500 runs, 20
 * kills).
 */
class KillRestartSuiteTest {
    @Test
    void everyRunEndsOnceWithItsTrueOutcomeAfterAgentProcessesAreKilled(@TempDir Path work) throws Exception {
        check(KillRestartSuite.Settings.quick(), work);
    }

    @Test
    @EnabledIfSystemProperty(named = "launchkit.reliability", matches = "true")
    void theFullWorkloadSurvivesTwentyKills(@TempDir Path work) throws Exception {
        check(KillRestartSuite.Settings.full(), work);
    }

    private static void check(KillRestartSuite.Settings settings, Path work) throws Exception {
        KillRestartSuite.Result r = KillRestartSuite.run(settings, work);

        assertThat(r.kills()).isEqualTo(settings.kills());
        assertThat(r.crashes()).as("agent processes that died on their own").isZero();
        assertThat(r.outcome().lost()).as(r.toString()).isZero();
        assertThat(r.outcome().duplicated()).as(r.toString()).isZero();
        assertThat(r.outcome().wrongOutcome()).as(r.toString()).isZero();
        assertThat(r.outcome().doubleReports()).as(r.toString()).isZero();
        assertThat(r.outcome().ended()).isEqualTo(r.outcome().runs());
        assertThat(r.outcome().jobs()).isEqualTo(r.outcome().runs());
    }
}
