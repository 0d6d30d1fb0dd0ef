package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @Test
    void demoRunsTheSamplesToSucceededAndFailedWithReasons(@TempDir Path dir) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            code = LaunchAgentCli.execute("demo", "--dir", dir.toString());
        } finally {
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        assertThat(out).contains("status succeeded")
                .contains("finished: failed (run: the run failed: Error — exit code 3")
                .contains("ValueError: learning rate must be positive")
                .contains("failed at stage agent — the job asks for resource 'sagemaker'");
        assertThat(out).containsPattern("done — exit code 0");
        // The Kubernetes phase: the seed queue config on the simulated cluster.
        assertThat(out).contains("submitted as wandb/Job/launch-")
                .contains("status succeeded (Completed)")
                .contains("failed at stage run — the run failed: OOMKilled");
    }
}
