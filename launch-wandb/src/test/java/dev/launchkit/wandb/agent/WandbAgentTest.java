package dev.launchkit.wandb.agent;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static dev.launchkit.wandb.WandbTestSupport.await;
import static dev.launchkit.wandb.WandbTestSupport.context;
import static dev.launchkit.wandb.WandbTestSupport.fastBackend;
import static dev.launchkit.wandb.WandbTestSupport.imageSpec;
import static dev.launchkit.wandb.WandbTestSupport.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.ItemView;
import dev.launchkit.testkit.wandb.PythonAgentSequence;
import dev.launchkit.testkit.wandb.RecordedCall;
import dev.launchkit.wandb.queue.WandbQueueProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core {@link LaunchAgent} with {@code wandb} queues against the fake server, a test runner standing in for the
 * cluster. The lead's end-to-end test swaps in the Kubernetes runner and the simulated cluster; the W&B side is the
 * same.
 */
class WandbAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FakeWandbServer server = FakeWandbServer.start();
    private final ControlledRunner runner = new ControlledRunner("kubernetes");
    @TempDir
    Path downloads;
    private LaunchAgent agent;

    @BeforeEach
    void seed() throws Exception {
        server.addTeam(TEAM);
        server.createQueueFromYaml(TEAM, "k8s-test", "kubernetes", WandbProtocolSequenceTest.seed("queue-k8s-job.yaml"));
        server.initRunsOnAck(true);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    private LaunchAgent start() {
        LaunchContext ctx = context(server);
        List<Queue> queues = new WandbQueueProvider().createAll(List.of("k8s-test"), TEAM,
                node(fastBackend(downloads)), JsonNodeFactory.instance.objectNode(), ctx);
        agent = LaunchAgent.builder().name("test-agent").context(ctx).queues(queues).runner(runner)
                .pollWait(Duration.ofMillis(50)).stopCheckInterval(Duration.ofMillis(50))
                .stoppedRunTimeout(Duration.ZERO).build();
        agent.start();
        return agent;
    }

    private ControlledRun run(int index) {
        await("run " + index + " to be submitted", WAIT, () -> runner.runs().size() > index);
        return runner.runs().get(index);
    }

    private ItemView item(String id) {
        return server.item(id).orElseThrow();
    }

    @Test
    void aSuccessfulJobGoesThroughThePythonAgentsSequence() {
        String id = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        start();

        ControlledRun run = run(0);
        await("a stop check", WAIT, () -> !server.calls("RunStoppedStatus").isEmpty());
        run.warn("0/1 nodes are available: 1 Insufficient cpu.");
        run.finish(RunStatus.of(RunState.SUCCEEDED, "Completed", ""));
        await("the POLLING status after the job", WAIT, () -> server.calls("updateLaunchAgent").stream()
                .anyMatch(c -> c.variable("agentStatus").equals("POLLING")));
        agent.close();

        List<String> ops = PythonAgentSequence.withoutStopChecks(server.operationsWithoutIdlePolling());
        assertThat(ops).containsExactly("Viewer", "ProjectRunQueues", "createLaunchAgent", "EntityIsTeam",
                "LaunchAgent", "popFromRunQueue", "updateLaunchAgent", "ackRunQueueItem",
                "updateRunQueueItemWarning", "RunState", "updateLaunchAgent", "updateLaunchAgent");
        assertThat(ops).isEqualTo(PythonAgentSequence.of(PythonAgentSequence.startup(),
                PythonAgentSequence.imageJob(true), PythonAgentSequence.shutdown()));
        assertThat(server.operationsWithoutIdlePolling()).containsSubsequence("ackRunQueueItem", "RunStoppedStatus",
                "RunState");
        assertThat(server.agents().get(0).statuses()).startsWith("RUNNING").endsWith("KILLED").contains("POLLING");
        assertThat(item(id).state()).isEqualTo("CLAIMED");
        assertThat(item(id).associatedRunId()).isEqualTo(run.job().runId());
        assertThat(item(id).warnings()).extracting(ItemView.Report::stage).containsExactly("Kubernetes");
        assertThat(run.job().spec().resourceArgs("kubernetes").path("metadata").path("namespace").asText())
                .isEqualTo("wandb");
        assertThat(server.calls()).allSatisfy(c -> assertThat(c.body()).doesNotContain(server.apiKey()));
    }

    @Test
    void aFailedRunFailsItsItemAtStageRunWithTheLogTail() {
        String id = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        start();

        run(0).finish(RunStatus.of(RunState.FAILED, "Error", "container exited with code 1"));
        await("the item to fail", WAIT, () -> item(id).state().equals("FAILED"));

        assertThat(item(id).failure().stage()).isEqualTo("run");
        assertThat(item(id).failure().message()).contains("container exited with code 1")
                .contains("ValueError: bad learning rate");
    }

    @Test
    void aRunStoppedInTheUiIsCancelled() {
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        start();
        ControlledRun run = run(0);

        server.markRunStopped(TEAM, "vision", run.job().runId());

        await("the run to be cancelled", WAIT, run::cancelled);
    }

    @Test
    void aPreemptedRunIsRequeuedAndResumedWithTheSameRunId() {
        String first = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        start();
        ControlledRun run = run(0);

        run.finish(RunStatus.of(RunState.PREEMPTED, "DisruptionTarget", "node drained"));
        ControlledRun resumed = run(1);

        assertThat(resumed.job().runId()).isEqualTo(run.job().runId());
        assertThat(resumed.job().spec().resumeCount()).isEqualTo(1);
        assertThat(resumed.job().itemId()).isNotEqualTo(first);
        assertThat(item(first).state()).isEqualTo("CLAIMED");
        assertThat(server.calls("pushToRunQueueByName")).hasSize(1);
    }

    @Test
    void stopPollingFromTheUiShutsTheAgentDown() {
        start();
        await("the first tick", WAIT, () -> server.calls("LaunchAgent").size() >= 2);

        server.stopPolling(server.agents().get(0).id());

        await("the agent to stop", WAIT, agent::isStopping);
        await("KILLED", WAIT, () -> server.agents().get(0).statuses().contains("KILLED"));
    }

    @Test
    void idleQueuesArePolledOncePerPollInterval() throws Exception {
        start();
        await("a few ticks", WAIT, () -> server.calls("popFromRunQueue").size() >= 4);
        agent.close();

        List<RecordedCall> pops = server.calls("popFromRunQueue");
        for (int i = 1; i < pops.size(); i++) {
            Duration gap = Duration.between(pops.get(i - 1).at(), pops.get(i).at());
            assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(90));
        }
        List<RecordedCall> ticks = server.calls("LaunchAgent");
        assertThat(ticks.size()).isBetween(pops.size(), pops.size() + 2);
    }

    @Test
    void anAgentBuiltFromALaunchConfigRegistersWithItsConfig() throws Exception {
        server.createQueue(TEAM, "plain");
        String id = server.pushItem(TEAM, "plain", imageSpec(TEAM, "vision"));
        String yaml = WandbProtocolSequenceTest.seed("launch-config.yaml").replace("\t", "  ")
                .replace("- k8s-test", "- plain").replace("type: noop", "type: test-images")
                + "default_resource: test-cluster\nrunners:\n  test-cluster: {}\nqueue_backend:\n"
                + "  type: wandb\n  poll_interval: 100ms\n  run_init_timeout: 300ms\n  hostname: config-host\n"
                + "  download_dir: " + downloads + "\n";
        LaunchContext ctx = context(server);

        agent = LaunchAgent.fromConfig(LaunchConfig.parse(yaml, "launch-config.yaml", Map.of()), ctx);
        agent.start();
        await("the item to run", WAIT, () -> !server.calls("RunState").isEmpty());

        assertThat(server.operations()).startsWith("Viewer", "ProjectRunQueues", "createLaunchAgent",
                "EntityIsTeam", "LaunchAgent");
        assertThat(server.agents().get(0).hostname()).isEqualTo("config-host");
        assertThat(server.agents().get(0).agentConfig().path("entity").asText()).isEqualTo(TEAM);
        assertThat(server.agents().get(0).agentConfig().path("queues").get(0).asText()).isEqualTo("plain");
        assertThat(server.agents().get(0).agentConfig().path("builder").path("type").asText()).isEqualTo("test-images");
        assertThat(item(id).state()).isEqualTo("CLAIMED");
        assertThat(item(id).warnings()).extracting(ItemView.Report::message)
                .containsExactly("0/1 nodes are available: 1 Insufficient cpu.");
    }
}
