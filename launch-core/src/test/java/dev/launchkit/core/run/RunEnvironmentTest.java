package dev.launchkit.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RunEnvironmentTest {
    private static Job job(String spec) {
        LaunchSpec s = LaunchSpec.parse(spec);
        return new Job("item-1", "k8s-test", "agent-team", s, JobSource.fromSpec(s), "run42", Map.of());
    }

    @Test
    void givesTheWandbVariablesInOrderWithTheKeyMarkedSecret() {
        Job job = job("{\"entity\":\"team\",\"project\":\"Vision\",\"author\":\"alice\",\"name\":\"n\","
                + "\"job\":\"team/vision/j:v1\",\"overrides\":{\"run_config\":{\"lr\":1}}}");
        List<RunEnvVar> vars = RunEnvironment.variables(job, Optional.empty(),
                Map.of("WANDB_API_KEY", "k-123456", "WANDB_BASE_URL", "https://wandb.example"));
        Map<String, String> byName = vars.stream().collect(Collectors.toMap(RunEnvVar::name, RunEnvVar::value));
        assertThat(vars).extracting(RunEnvVar::name).containsExactly("WANDB_BASE_URL", "WANDB_API_KEY",
                "WANDB_PROJECT", "WANDB_ENTITY", "WANDB_LAUNCH", "WANDB_RUN_ID", "WANDB_NAME", "WANDB_USERNAME",
                "WANDB_LAUNCH_QUEUE_NAME", "WANDB_LAUNCH_QUEUE_ENTITY", "WANDB_LAUNCH_TRACE_ID", "WANDB_CONFIG",
                "WANDB_ARTIFACTS");
        assertThat(vars).filteredOn(RunEnvVar::secret).extracting(RunEnvVar::name).containsExactly("WANDB_API_KEY");
        assertThat(byName).containsEntry("WANDB_PROJECT", "vision").containsEntry("WANDB_RUN_ID", "run42")
                .containsEntry("WANDB_LAUNCH_QUEUE_ENTITY", "agent-team").containsEntry("WANDB_CONFIG", "{\"lr\":1}")
                .containsEntry("WANDB_ARTIFACTS", "{\"_wandb_job\":\"team/vision/j:v1\"}");
        assertThat(vars.toString()).doesNotContain("k-123456");
    }

    @Test
    void perRunKeyWinsAndSuppressesUsernameAndResumeSetsAllow() {
        Job job = job("{\"entity\":\"t\",\"project\":\"p\",\"author\":\"a\",\"_wandb_api_key\":\"per-run-key\","
                + "\"_resume_count\":1,\"docker\":{\"docker_image\":\"x:1\"}}");
        Map<String, String> byName = RunEnvironment.variables(job, Optional.of("docker.io/library/x:1"), Map.of("WANDB_API_KEY", "agent"))
                .stream().collect(Collectors.toMap(RunEnvVar::name, RunEnvVar::value));
        assertThat(byName).containsEntry("WANDB_API_KEY", "per-run-key").containsEntry("WANDB_RESUME", "allow")
                .containsEntry("WANDB_DOCKER", "docker.io/library/x:1").doesNotContainKey("WANDB_USERNAME");
    }

    @Test
    void longConfigIsSplitIntoNumberedChunks() {
        String big = "x".repeat(RunEnvironment.MAX_VALUE_LENGTH * 2 + 5);
        List<RunEnvVar> chunks = RunEnvironment.chunked("WANDB_CONFIG", big);
        assertThat(chunks).extracting(RunEnvVar::name).containsExactly("WANDB_CONFIG_0", "WANDB_CONFIG_1", "WANDB_CONFIG_2");
        assertThat(chunks.stream().map(RunEnvVar::value).collect(Collectors.joining())).isEqualTo(big);
    }
}
