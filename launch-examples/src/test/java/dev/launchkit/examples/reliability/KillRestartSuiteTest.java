package dev.launchkit.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short kill/restart suite: a few SIGKILLed agent processes, then no run lost or started twice. Runs with
 * {@code -Preliability} (about two minutes on two cores; it also still loses a run now and then, see BENCH.md).
 */
class KillRestartSuiteTest {
    @Test
    @EnabledIfSystemProperty(named = "launchkit.reliability", matches = "true")
    void everyRunEndsOnceWithItsTrueOutcomeAfterAgentProcessesAreKilled(@TempDir Path work) throws Exception {
        KillRestartSuite.Result r = KillRestartSuite.run(KillRestartSuite.Settings.quick(), work);

        assertThat(r.kills()).isEqualTo(KillRestartSuite.Settings.quick().kills());
        assertThat(r.crashes()).as("agent processes that died on their own").isZero();
        assertThat(r.outcome().lost()).as(r.toString()).isZero();
        assertThat(r.outcome().duplicated()).as(r.toString()).isZero();
        assertThat(r.outcome().wrongOutcome()).as(r.toString()).isZero();
        assertThat(r.outcome().doubleReports()).as(r.toString()).isZero();
        assertThat(r.outcome().ended()).isEqualTo(r.outcome().runs());
        assertThat(r.outcome().jobs()).isEqualTo(r.outcome().runs());
    }
}
