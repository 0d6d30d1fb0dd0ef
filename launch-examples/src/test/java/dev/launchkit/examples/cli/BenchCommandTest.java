package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run of the benchmark so it never rots; it checks the figures exist, not how fast they are. */
class BenchCommandTest {
    @Test
    void shortRunWritesPickupFiguresForBothQueues(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        assertThat(LaunchAgentCli.execute("bench", "--only", "pickup", "--items", "5", "--gap-ms", "5", "--json",
                json.toString())).isZero();
        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        for (String row : new String[] {"pickup directory queue", "pickup memory queue"}) {
            assertThat(figures.path(row).path("items").asInt()).isEqualTo(5);
            assertThat(figures.path(row).path("p50_ms").asDouble()).isPositive();
            assertThat(figures.path(row).path("p99_ms").asDouble()).isGreaterThanOrEqualTo(figures.path(row).path("p50_ms").asDouble());
        }
    }

    @Test
    void shortRunPrintsDispatchRatioTrackingAndReadoptionFigures(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        assertThat(LaunchAgentCli.execute("bench", "--only", "dispatch,tracking,adoption", "--dispatch-jobs", "30",
                "--runs", "30", "--adopt-runs", "30", "--json", json.toString())).isZero();
        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        assertThat(figures.path("dispatch").path("ratio").asDouble()).isPositive();
        JsonNode tracking = figures.path("tracking 30 runs");
        assertThat(tracking.path("not_done").asInt()).isZero();
        assertThat(tracking.path("watches").asInt()).as("one pod and one Job watch for the namespace").isEqualTo(2);
        assertThat(tracking.path("requests_per_run").asDouble()).isPositive();
        assertThat(figures.path("re-adoption 30 runs").path("adopted").asInt()).isEqualTo(30);
    }
}
