package dev.launchkit.k8s.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KubeNamesTest {
    @ParameterizedTest
    @CsvSource({"k3x9p2aa, launch-k3x9p2aa", "0123abcd, launch-0123abcd", "run-42, launch-run-42"})
    void keepsRunIdsThatAreAlreadySafeIncludingDigits(String runId, String name) {
        assertThat(KubeNames.objectName(runId)).isEqualTo(name);
    }

    @Test
    void sanitisesAndHashesRunIdsThatAreNot() {
        String name = KubeNames.objectName("Run_ID.7");

        assertThat(name).matches("launch-run-id-7-[0-9a-f]{8}");
        assertThat(KubeNames.isDnsLabel(name)).isTrue();
        assertThat(KubeNames.objectName("run-id-7")).isNotEqualTo(name);
    }

    @Test
    void truncatesLongRunIdsWithAHashSuffixDeterministically() {
        String runId = "x".repeat(100);

        String name = KubeNames.objectName(runId);
        assertThat(name).hasSizeLessThanOrEqualTo(63).startsWith("launch-xxx").matches(".*-[0-9a-f]{8}");
        assertThat(KubeNames.objectName(runId)).isEqualTo(name);
        assertThat(KubeNames.objectName("x".repeat(99) + "y")).isNotEqualTo(name);
    }

    @Test
    void makesLabelValuesSafeKeepingCase() {
        assertThat(KubeNames.labelValue("Agent-1")).isEqualTo("Agent-1");
        assertThat(KubeNames.labelValue("my agent/1")).matches("my-agent-1-[0-9a-f]{8}");
        assertThat(KubeNames.labelValue("_x_")).matches("x-[0-9a-f]{8}");
    }

    @Test
    void aResumedAttemptOfARunGetsANameOfItsOwnAndTheFirstAttemptKeepsThePlainOne() {
        assertThat(KubeNames.objectName("k3x9p2aa", 0)).isEqualTo("launch-k3x9p2aa");
        assertThat(KubeNames.objectName("k3x9p2aa", 1)).isEqualTo("launch-k3x9p2aa-r1");
        assertThat(KubeNames.objectName("k3x9p2aa", 5)).isEqualTo("launch-k3x9p2aa-r5");
        assertThat(KubeNames.isDnsLabel(KubeNames.objectName("x".repeat(70), 3))).isTrue();
    }
}
