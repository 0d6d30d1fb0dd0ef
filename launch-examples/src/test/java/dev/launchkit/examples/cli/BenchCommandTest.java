package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int exit;
        // Tee stderr, so a failed run says why in the assertion (picocli prints the exception there).
        System.setErr(new PrintStream(new TeeOutputStream(original, err), true, StandardCharsets.UTF_8));
        try {
            exit = LaunchAgentCli.execute("bench", "--only", "dispatch,tracking,adoption", "--dispatch-jobs", "30",
                    "--runs", "30", "--adopt-runs", "30", "--json", json.toString());
        } finally {
            System.setErr(original);
        }
        String why = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(why).isZero();
        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        String all = figures.toString();
        assertThat(figures.path("dispatch").path("ratio").asDouble()).as(all).isPositive();
        JsonNode tracking = figures.path("tracking 30 runs");
        assertThat(tracking.path("not_done").asInt()).as(all).isZero();
        assertThat(tracking.path("watches").asInt()).as("one pod and one Job watch for the namespace: " + all)
                .isEqualTo(2);
        assertThat(tracking.path("requests_per_run").asDouble()).as(all).isPositive();
        assertThat(figures.path("re-adoption 30 runs").path("adopted").asInt()).as(all).isEqualTo(30);
    }

    /** Writes to two streams. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }
}
