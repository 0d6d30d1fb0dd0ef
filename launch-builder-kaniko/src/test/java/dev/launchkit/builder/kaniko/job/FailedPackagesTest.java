package dev.launchkit.builder.kaniko.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailedPackagesTest {

    @Test
    void findsThePackagesOfEveryMarkerOnce() {
        String log = """
                INFO[0042] RUN WANDB_DISABLE_CACHE=true pip install uv && python _launchkit_bootstrap.py
                ERROR: Failed to install: pywin32,appnope. During automated build process.
                INFO[0050] Taking snapshot of full filesystem...
                ERROR: Failed to install: appnope,torch-cuda. During automated build process.
                """;

        assertThat(FailedPackages.find(log)).containsExactly("pywin32", "appnope", "torch-cuda");
        assertThat(FailedPackages.warning(List.of("pywin32"))).startsWith(
                "Some packages were not successfully installed during the build: pywin32");
    }

    @Test
    void aCleanLogHasNone() {
        assertThat(FailedPackages.find("INFO[0001] Pushing image to registry\n")).isEmpty();
    }
}
