package dev.launchkit.core.runner.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Runner;
import dev.launchkit.core.RunnerProvider;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.testutil.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessRunnerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ImageRef IMAGE = ImageRef.parse("python:3.11");
    private static final String API_KEY = "local-secret-api-key-0123456789";

    @TempDir
    Path workDir;
    private final LaunchContext context = LaunchContext.basic(agentEnv());
    private final List<Runner> runners = new ArrayList<>();

    private static Map<String, String> agentEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("WANDB_API_KEY", API_KEY);
        env.put("WANDB_BASE_URL", "http://127.0.0.1:9");
        return env;
    }

    @AfterEach
    void tearDown() {
        runners.forEach(Runner::close);
        context.scheduler().shutdownNow();
    }

    private LocalProcessRunner runner(LocalProcessOptions options) {
        LocalProcessRunner r = new LocalProcessRunner(context, options);
        runners.add(r);
        return r;
    }

    private LocalProcessRunner runner() {
        return runner(LocalProcessOptions.defaults().withWorkingDirectory(workDir));
    }

    /** A job whose entry point is {@code sh -c script}, with the given args. */
    private static Job job(String runId, String script, String... args) {
        ObjectNode spec = JSON.createObjectNode().put("entity", "team").put("project", "Vision").put("name", "demo");
        spec.putObject("docker").put("docker_image", "python:3.11");
        ObjectNode overrides = spec.putObject("overrides");
        overrides.putArray("entry_point").add("sh").add("-c").add(script);
        overrides.putArray("args").addAll(java.util.Arrays.stream(args).map(JSON.getNodeFactory()::textNode).toList());
        overrides.putObject("run_config").put("lr", 0.01);
        LaunchSpec s = LaunchSpec.of(spec).withRunId(runId);
        return new Job("item-1", "local", "team", s, JobSource.fromSpec(s), runId, Map.of());
    }

    private static final class Recorder implements RunListener {
        final List<RunStatus> statuses = Collections.synchronizedList(new ArrayList<>());
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void status(RunStatus status) {
            statuses.add(status);
        }

        @Override
        public void log(String line) {
            lines.add(line);
        }
    }

    private static RunStatus await(SubmittedRun run) throws Exception {
        return run.completion().get(20, TimeUnit.SECONDS);
    }

    @Test
    void runsTheEntryPointWithArgsAndTheWandbEnvironmentToSuccess() throws Exception {
        SubmittedRun run = runner().submit(job("run00001",
                "echo \"run=$WANDB_RUN_ID project=$WANDB_PROJECT queue=$WANDB_LAUNCH_QUEUE_NAME item=$WANDB_LAUNCH_TRACE_ID\";"
                        + " echo \"config=$WANDB_CONFIG launch=$WANDB_LAUNCH docker=$WANDB_DOCKER\"; echo \"args=$*\"; pwd",
                "sh", "--epochs", "3"), IMAGE);
        Recorder rec = new Recorder();
        run.addListener(rec);

        RunStatus end = await(run);

        assertThat(end.state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(end.message()).isEqualTo("exit code 0");
        Eventually.until(() -> rec.statuses.contains(end), () -> "the listener to get the terminal status");
        assertThat(rec.lines).containsExactly(
                "run=run00001 project=vision queue=local item=item-1",
                "config={\"lr\":0.01} launch=True docker=docker.io/library/python:3.11",
                "args=--epochs 3",
                workDir.toRealPath().toString());
        assertThat(rec.statuses).last().isEqualTo(end);
        assertThat(rec.statuses).filteredOn(RunStatus::isTerminal).containsExactly(end);
        assertThat(run.logTail()).endsWith(workDir.toRealPath().toString());
        assertThat(run.runId()).isEqualTo("run00001");
        assertThat(run.id()).matches("[0-9]+");
    }

    @Test
    void givesTheProcessTheApiKeyButNeverShowsItInLogs() throws Exception {
        SubmittedRun run = runner().submit(job("run00002",
                "[ \"$WANDB_API_KEY\" = \"" + API_KEY + "\" ] && echo key-present; echo \"leak: $WANDB_API_KEY\""), IMAGE);
        Recorder rec = new Recorder();
        run.addListener(rec);

        await(run);

        Eventually.until(() -> rec.lines.size() == 2, () -> "two lines, got " + rec.lines);
        assertThat(rec.lines).containsExactly("key-present", "leak: ****");
        assertThat(run.logTail()).doesNotContain(API_KEY);
    }

    @Test
    void listenerAddedWhileRunningGetsStatusThenOutputThenTheEnd() throws Exception {
        SubmittedRun run = runner().submit(job("run00011", "echo early; read line; echo late"), IMAGE);
        Recorder first = new Recorder();
        run.addListener(first);
        Eventually.until(() -> first.lines.contains("early"), () -> "the first line");

        Recorder late = new Recorder();
        run.addListener(late);
        assertThat(late.statuses).extracting(RunStatus::state).containsExactly(RunState.RUNNING);
        assertThat(late.lines).containsExactly("early");
        run.cancel();
        RunStatus end = await(run);

        Eventually.until(() -> late.statuses.contains(end), () -> "the terminal status");
        assertThat(late.statuses).extracting(RunStatus::state).containsExactly(RunState.RUNNING, RunState.STOPPED);
    }

    @Test
    void mapsANonZeroExitToFailedWithTheExitCodeAndTheOutputTail() throws Exception {
        LocalProcessRunner r = runner(LocalProcessOptions.defaults().withWorkingDirectory(workDir).withLogTailLines(2));
        SubmittedRun run = r.submit(job("run00003", "echo one; echo two; echo 'Traceback: boom' >&2; exit 3"), IMAGE);

        RunStatus end = await(run);

        assertThat(end.state()).isEqualTo(RunState.FAILED);
        assertThat(end.message()).isEqualTo("exit code 3");
        assertThat(run.logTail()).isEqualTo("two\nTraceback: boom");
    }

    @Test
    void cancelStopsTheWholeProcessTree() throws Exception {
        LocalProcessRunner r = runner(LocalProcessOptions.defaults().withWorkingDirectory(workDir)
                .withCancelGrace(Duration.ofSeconds(2)));
        SubmittedRun run = r.submit(job("run00004", "sleep 300 & sleep 300 & echo started; wait"), IMAGE);
        Recorder rec = new Recorder();
        run.addListener(rec);
        Eventually.until(() -> rec.lines.contains("started"), () -> "the script to start its children");
        ProcessHandle parent = ProcessHandle.of(Long.parseLong(run.id())).orElseThrow();
        Eventually.until(() -> parent.descendants().count() >= 2, () -> "two sleeping children");
        List<ProcessHandle> tree = new ArrayList<>(parent.descendants().toList());
        tree.add(parent);

        run.cancel();
        RunStatus end = await(run);

        assertThat(end.state()).isEqualTo(RunState.STOPPED);
        Eventually.until(() -> tree.stream().noneMatch(ProcessHandle::isAlive), () -> "every process of the tree to end");
        run.cancel(); // idempotent
        assertThat(run.status()).isEqualTo(end);
    }

    @Test
    void returnsTheSameRunWhenTheSameRunIdIsSubmittedTwice() throws Exception {
        LocalProcessRunner r = runner();
        Job job = job("run00005", "sleep 30");

        SubmittedRun first = r.submit(job, IMAGE);
        SubmittedRun second = r.submit(job, IMAGE);

        assertThat(second).isSameAs(first);
        assertThat(r.active()).containsExactly(first);
        first.cancel();
        assertThat(await(first).state()).isEqualTo(RunState.STOPPED);
    }

    @Test
    void closeStopsProcessesBecauseNoLaterAgentCanAdoptThem() throws Exception {
        LocalProcessRunner r = runner();
        SubmittedRun run = r.submit(job("run00006", "sleep 300"), IMAGE);

        assertThat(r.adopt()).isEmpty();
        r.close();

        assertThat(await(run).state()).isEqualTo(RunState.STOPPED);
    }

    @Test
    void refusesAJobWithoutACommandAtAgentStage() {
        LaunchSpec s = LaunchSpec.parse("{\"docker\":{\"docker_image\":\"python:3.11\"}}").withRunId("run00007");
        Job job = new Job("i", "local", "", s, JobSource.fromSpec(s), "run00007", Map.of());

        assertThatThrownBy(() -> runner().submit(job, IMAGE))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("the local-process runner needs a command: set overrides.entry_point")
                .extracting(e -> ((LaunchException) e).stage()).isEqualTo(Stage.AGENT);
    }

    @Test
    void reportsACommandThatCannotStartAtRunStage() {
        LaunchSpec s = LaunchSpec.parse("{\"docker\":{\"docker_image\":\"python:3.11\"},"
                + "\"overrides\":{\"entry_point\":[\"/nonexistent/launchkit-tool\"]}}").withRunId("run00008");
        Job job = new Job("i", "local", "", s, JobSource.fromSpec(s), "run00008", Map.of());

        assertThatThrownBy(() -> runner().submit(job, IMAGE))
                .isInstanceOf(LaunchException.class)
                .hasMessageStartingWith("could not start '/nonexistent/launchkit-tool' in ")
                .extracting(e -> ((LaunchException) e).stage()).isEqualTo(Stage.RUN);
    }

    @Test
    void runsCodeSourcesInTheirDirectory() throws Exception {
        ObjectNode spec = JSON.createObjectNode();
        spec.putObject("source").put("code", workDir.toString());
        spec.putObject("overrides").putArray("entry_point").add("pwd");
        LaunchSpec s = LaunchSpec.of(spec).withRunId("run00009");
        Job job = new Job("i", "local", "", s, JobSource.fromSpec(s), "run00009", Map.of());

        SubmittedRun run = runner(LocalProcessOptions.defaults()).submit(job, IMAGE);

        assertThat(await(run).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.logTail()).isEqualTo(workDir.toRealPath().toString());
    }

    @Test
    void providerReadsItsBlockAndNamesWrongKeys() throws Exception {
        RunnerProvider p = Plugins.load(RunnerProvider.class, "runner").require("local-process");
        ObjectNode block = JSON.createObjectNode().put("working_dir", workDir.toString()).put("log_tail_lines", 5);
        block.putObject("env").put("EXTRA_VAR", "extra-value");
        Runner r = p.create(ConfigNode.of(block, "launch-config.yaml"), context);
        runners.add(r);

        SubmittedRun run = r.submit(job("run00010", "echo $EXTRA_VAR"), IMAGE);
        assertThat(await(run).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.logTail()).isEqualTo("extra-value");

        ObjectNode root = JSON.createObjectNode();
        root.putObject("runners").putObject("local-process").put("working_dir", workDir.resolve("missing").toString());
        ConfigNode bad = ConfigNode.of(root, "launch-config.yaml").child("runners").child("local-process");
        assertThatThrownBy(() -> p.create(bad, context))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("launch-config.yaml: runners.local-process.working_dir: '")
                .hasMessageEndingWith("is not an existing directory; create it or point working_dir at one");
    }
}
