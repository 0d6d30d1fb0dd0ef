package dev.launchkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchConfigTest {
    /** The seed files live in the testkit's resources; core cannot depend on testkit, so read them by path. */
    static final Path SEED = Path.of("../launch-testkit/src/main/resources/dev/launchkit/testkit/seed");

    @Test
    void loadsTheLaunchConfigBlockOfTheSeedHelmValues() throws Exception {
        ObjectNode values = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(SEED.resolve("values.yaml").toFile());
        LaunchConfig config = LaunchConfig.parse(values.get("launchConfig").asText(), "launch-config.yaml", Map.of());

        assertThat(config.queues()).containsExactly("k8s-test");
        assertThat(config.maxJobs()).isEqualTo(10);
        assertThat(config.maxSchedulers()).isEqualTo(1);
        assertThat(config.builder().string("type", "")).isEqualTo("noop");
        assertThat(config.verbosity()).isZero();
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void tabIndentedSeedConfigFailsNamingTheLineAndHowToFixIt() {
        assertThatThrownBy(() -> LaunchConfig.load(SEED.resolve("launch-config.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("launch-config.yaml:4:")
                .hasMessageContaining("indented with a tab")
                .hasMessageContaining("only spaces")
                .hasMessageContaining("Replace the tab with spaces");
    }

    @Test
    void seedConfigLoadsOnceTabsAreReplacedWithSpaces() throws Exception {
        String fixed = Files.readString(SEED.resolve("launch-config.yaml")).replace("\t", "  ");
        LaunchConfig config = LaunchConfig.parse(fixed, "launch-config.yaml", Map.of());
        assertThat(config.queues()).containsExactly("k8s-test");
        assertThat(config.entity()).contains("my-team");
        assertThat(config.maxJobs()).isEqualTo(1);
    }

    @Test
    void emptyFileGivesTheWandbDefaults() {
        LaunchConfig config = LaunchConfig.parse("", "launch-config.yaml", Map.of());
        assertThat(config.maxJobs()).isEqualTo(1);
        assertThat(config.maxSchedulers()).isEqualTo(1);
        assertThat(config.queues()).isEmpty();
        assertThat(config.verbosity()).isZero();
        assertThat(config.entity()).isEmpty();
        assertThat(config.stoppedRunTimeout()).hasSeconds(60);
        assertThat(config.queueBackendType()).isEqualTo("wandb");
    }

    @Test
    void environmentVariablesOverrideEntityAndMaxJobs() {
        LaunchConfig config = LaunchConfig.parse("entity: from-file\nmax_jobs: 2\n", "launch-config.yaml",
                Map.of("WANDB_ENTITY", "from-env", "WANDB_LAUNCH_MAX_JOBS", "-1"));
        assertThat(config.entity()).contains("from-env");
        assertThat(config.maxJobs()).isEqualTo(LaunchConfig.UNLIMITED);
    }

    @Test
    void nonNumericMaxJobsFromEnvironmentIsNamed() {
        assertThatThrownBy(() -> LaunchConfig.parse("", "launch-config.yaml", Map.of("WANDB_LAUNCH_MAX_JOBS", "many")))
                .hasMessageContaining("WANDB_LAUNCH_MAX_JOBS")
                .hasMessageContaining("'many' is not an integer");
    }

    @Test
    void legacyQueueKeyIsAppendedToQueues() {
        LaunchConfig config = LaunchConfig.parse("queues: [a]\nqueue: b\n", "launch-config.yaml", Map.of());
        assertThat(config.queues()).containsExactly("a", "b");
    }

    @Test
    void legacyQueueKeyMustBeAString() {
        assertThatThrownBy(() -> LaunchConfig.parse("max_jobs: 1\nqueue:\n  - a\n", "launch-config.yaml", Map.of()))
                .hasMessageContaining("launch-config.yaml:2: queue:")
                .hasMessageContaining("use 'queues:' for a list");
    }

    @Test
    void zeroMaxJobsIsRefusedWithTheLine() {
        assertThatThrownBy(() -> LaunchConfig.parse("queues: [a]\nmax_jobs: 0\n", "launch-config.yaml", Map.of()))
                .hasMessageContaining("launch-config.yaml:2: max_jobs:")
                .hasMessageContaining("-1 for unlimited");
    }

    @Test
    void wrongTypeNamesKeyLineAndWhatWasFound() {
        assertThatThrownBy(() -> LaunchConfig.parse("queues: [a]\nmax_jobs: ten\n", "launch-config.yaml", Map.of()))
                .hasMessage("launch-config.yaml:2: max_jobs: expected an integer, got 'ten'");
        assertThatThrownBy(() -> LaunchConfig.parse("queues:\n  nested: x\n", "launch-config.yaml", Map.of()))
                .hasMessageContaining("launch-config.yaml:1: queues: expected a list of strings");
    }

    @Test
    void unknownKeysWarnWithLineAndSuggestion() {
        LaunchConfig config = LaunchConfig.parse("queues: [a]\nmax_job: 3\n", "launch-config.yaml", Map.of());
        assertThat(config.warnings()).singleElement().asString()
                .contains("launch-config.yaml:2", "'max_job' is not a launch-config key", "did you mean 'max_jobs'?");
        assertThat(config.maxJobs()).isEqualTo(1);
    }

    @Test
    void unknownEnvironmentKeysWarnAsWandbDoes() {
        LaunchConfig config = LaunchConfig.parse("environment:\n  type: aws\n  region: us-east-1\n  profile: x\n",
                "launch-config.yaml", Map.of());
        assertThat(config.warnings()).singleElement().asString().contains("launch-config.yaml:4",
                "Unrecognized field profile in environment block");
    }

    @Test
    void builderBlockWithoutTypeIsRefused() {
        assertThatThrownBy(() -> LaunchConfig.parse("builder:\n  destination: repo/x\n", "launch-config.yaml", Map.of()))
                .hasMessageContaining("builder.type: is required");
    }

    @Test
    void deprecatedRegistryBlockWarns() {
        LaunchConfig config = LaunchConfig.parse("registry:\n  type: ecr\n  uri: 1.dkr.ecr.us-east-1.amazonaws.com/r\n",
                "launch-config.yaml", Map.of());
        assertThat(config.warnings()).anyMatch(w -> w.contains("registry is deprecated") && w.contains("builder.destination"));
    }

    @Test
    void brokenYamlNamesTheLine() {
        assertThatThrownBy(() -> LaunchConfig.parse("queues: [a\nmax_jobs: 1\nbuilder: {type: noop\n", "cfg.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cfg.yaml:")
                .hasMessageContaining("invalid YAML");
    }

    @Test
    void topLevelListIsRefused() {
        assertThatThrownBy(() -> LaunchConfig.parse("- a\n- b\n", "cfg.yaml", Map.of()))
                .hasMessageContaining("must be a mapping");
    }

    @Test
    void commandLineFlagsReplaceQueuesAndWinOverFileAndEnvironment() {
        LaunchConfig config = LaunchConfig.parse("entity: e\nqueues: [a, b]\nmax_jobs: 2\nverbosity: 1\n", "c.yaml", Map.of())
                .withOverrides(Optional.of("cli"), List.of("z"), Optional.of(7), 0);
        assertThat(config.entity()).contains("cli");
        assertThat(config.queues()).containsExactly("z");
        assertThat(config.maxJobs()).isEqualTo(7);
        assertThat(config.verbosity()).isEqualTo(1);
    }

    @Test
    void explicitMissingFileIsAnErrorButMissingDefaultFileIsEmpty(@TempDir Path home) {
        assertThatThrownBy(() -> LaunchConfig.load(home.resolve("nope.yaml"), Map.of()))
                .hasMessageContaining("no such file");
        LaunchConfig config = LaunchConfig.loadDefault(Map.of("HOME", home.toString()));
        assertThat(config.queues()).isEmpty();
    }

    @Test
    void defaultFileIsReadFromHome(@TempDir Path home) throws Exception {
        Path file = home.resolve(LaunchConfig.DEFAULT_PATH);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "queues: [from-home]\n");
        assertThat(LaunchConfig.loadDefault(Map.of("HOME", home.toString())).queues()).containsExactly("from-home");
    }

    @Test
    void agentConfigSentToServersHasSecretsMaskedAndNoProject() {
        LaunchConfig config = LaunchConfig.parse("queues: [a]\nproject: p\nregistry:\n  type: generic\n  uri: r.example/x\n"
                + "  password: hunter22\n", "c.yaml", Map.of());
        ObjectNode json = config.toAgentConfigJson(Set.of("password"));
        assertThat(json.path("registry").path("password").asText()).isEqualTo("****");
        assertThat(json.has("project")).isFalse();
        assertThat(json.toString()).doesNotContain("hunter22");
    }

    @Test
    void preemptionAndShutdownOptionsHaveWandbDefaultsAndPerQueueOverrides() {
        LaunchConfig config = LaunchConfig.parse("queues: [a, b]\npreemption:\n  max_attempts: 3\n  queues:\n"
                + "    b:\n      requeue: false\n", "c.yaml", Map.of());
        assertThat(config.requeueOnPreemption("a")).isTrue();
        assertThat(config.requeueOnPreemption("b")).isFalse();
        assertThat(config.maxRequeueAttempts("a")).isEqualTo(3);
        assertThat(config.cancelRunsOnShutdown()).isFalse();
        assertThat(LaunchConfig.parse("", "c.yaml", Map.of()).maxRequeueAttempts("x")).isEqualTo(5);
    }
}
