package dev.launchkit.core.runner.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.testutil.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded defaults together: an agent from a config polls a directory queue and runs local processes. */
class DirectoryQueueThroughLocalProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    @TempDir
    Path work;

    @Test
    void agentRunsDroppedFilesToDoneAndFailedWithReasons() throws Exception {
        String config = """
                entity: team
                queues: [local]
                max_jobs: 2
                queue_backend:
                  type: directory
                  path: %s
                  poll_interval_ms: 20
                runners:
                  local-process:
                    working_dir: %s
                """.formatted(root, work);
        Path pending = root.resolve("local/pending");
        Files.createDirectories(pending);
        String image = "\"resource\":\"local-process\",\"docker\":{\"docker_image\":\"python:3.11\"}";
        Files.writeString(pending.resolve("ok.json"), "{" + image
                + ",\"overrides\":{\"entry_point\":[\"sh\",\"-c\",\"echo hello from $WANDB_RUN_ID\"]}}");
        Files.writeString(pending.resolve("bad.json"), "{" + image
                + ",\"overrides\":{\"entry_point\":[\"sh\",\"-c\",\"echo about to fail; exit 4\"]}}");
        Files.writeString(pending.resolve("git.yaml"), """
                resource: local-process
                source: {git: {remote: "https://github.com/org/repo.git"}}
                overrides: {entry_point: [python, train.py]}
                """);
        LaunchContext ctx = LaunchContext.basic(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));

        LaunchAgent agent = LaunchAgent.fromConfig(LaunchConfig.parse(config, "launch-config.yaml", Map.of()), ctx);
        try {
            agent.start();
            Eventually.until(() -> Files.exists(root.resolve("local/done/ok.json.result.json"))
                            && Files.exists(root.resolve("local/failed/bad.json.result.json"))
                            && Files.exists(root.resolve("local/failed/git.yaml.result.json")),
                    () -> "all three items to end");
        } finally {
            agent.stop(Duration.ofSeconds(5));
            ctx.scheduler().shutdownNow();
        }

        JsonNode ok = JSON.readTree(root.resolve("local/done/ok.json.result.json").toFile());
        assertThat(ok.get("run_state").asText()).isEqualTo("succeeded");
        assertThat(ok.get("run_id").asText()).matches("[a-z0-9]{8}");
        JsonNode bad = JSON.readTree(root.resolve("local/failed/bad.json.result.json").toFile());
        assertThat(bad.get("stage").asText()).isEqualTo("run");
        assertThat(bad.get("message").asText()).contains("exit code 4").contains("about to fail");
        JsonNode git = JSON.readTree(root.resolve("local/failed/git.yaml.result.json").toFile());
        assertThat(git.get("stage").asText()).isEqualTo("agent");
        assertThat(git.get("message").asText()).contains("builder.type: kaniko");
    }
}
