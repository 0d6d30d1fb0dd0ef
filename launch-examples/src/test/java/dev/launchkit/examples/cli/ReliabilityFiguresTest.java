package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.reliability.BadInputSuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReliabilityFiguresTest {
    @Test
    void badInputPutsItsFiguresInTheSharedTable(@TempDir Path work) throws Exception {
        Figures f = new Figures();
        BadInputSuite.Settings tiny = new BadInputSuite.Settings(40, 10, 3, 1_000, 4_000, Duration.ofMinutes(1), 5L);

        boolean clean = ReliabilityFigures.badInput(tiny, work, f);

        Map<String, Object> row = f.rows().get("reliability bad-input");
        assertThat(row).containsKeys("cases", "categories", "failed_clearly", "unclear_messages", "runs",
                "good_runs_done", "lost", "duplicated", "crashes", "secret_leaks", "seconds");
        assertThat(clean).as(row.toString()).isTrue();
        assertThat(row.get("failed_clearly")).isEqualTo(row.get("cases"));
        assertThat(row.get("secret_leaks")).isEqualTo(0);
    }
}
