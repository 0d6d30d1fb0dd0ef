package dev.launchkit.wandb.agent;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static dev.launchkit.wandb.WandbTestSupport.context;
import static dev.launchkit.wandb.WandbTestSupport.fastBackend;
import static dev.launchkit.wandb.WandbTestSupport.jobSpec;
import static dev.launchkit.wandb.WandbTestSupport.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.RecordedCall;
import dev.launchkit.wandb.queue.WandbQueueProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives a {@code wandb} queue through one job in the order the Python agent does it and checks that the server
 * sees exactly the call sequence of reference §3.2: startup, one tick, then the job from
 * {@code updateLaunchAgent(RUNNING)} to {@code updateLaunchAgent(POLLING)}.
 */
class WandbProtocolSequenceTest {
    private final FakeWandbServer server = FakeWandbServer.start();
    @TempDir
    Path downloads;

    @AfterEach
    void stop() {
        server.close();
    }

    static String seed(String name) throws IOException {
        try (InputStream in = WandbProtocolSequenceTest.class.getResourceAsStream("/dev/launchkit/testkit/seed/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void oneJobProducesThePythonAgentsCallSequence() throws Exception {
        server.addTeam(TEAM);
        server.createQueueFromYaml(TEAM, "k8s-test", "kubernetes", seed("queue-k8s-job.yaml"));
        server.addJobArtifact(TEAM, "vision", "job-trainer", FakeWandbServer.json("""
                {"source_type": "image", "runtime": "3.11",
                 "source": {"image": "registry.example.com/trainer:1.2", "entrypoint": ["python", "train.py"]}}"""),
                Map.of());
        String itemId = server.pushItem(TEAM, "k8s-test", jobSpec(TEAM, "vision", TEAM + "/vision/job-trainer:v0"));
        LaunchContext ctx = context(server);
        ObjectNode agentConfig = JsonNodeFactory.instance.objectNode();
        agentConfig.put("entity", TEAM);
        agentConfig.putArray("queues").add("k8s-test");

        // Startup (§1.2): Viewer, ProjectRunQueues, createLaunchAgent, EntityIsTeam, LaunchAgent.
        List<Queue> queues = new WandbQueueProvider().createAll(List.of("k8s-test"), TEAM,
                node(fastBackend(downloads)), agentConfig, ctx);
        Queue queue = queues.get(0);
        // One tick (§1.3): LaunchAgent for stopPolling, then popFromRunQueue.
        assertThat(queue.stopPollingRequested()).isFalse();
        Job job = queue.poll(Duration.ZERO).orElseThrow();
        // The job (§3.2): updateLaunchAgent(RUNNING), ack, job artifact, RunStoppedStatus + warning, RunState,
        // updateLaunchAgent(POLLING); then KILLED at shutdown.
        queue.agentState(AgentState.RUNNING);
        queue.ack(job, job.runId());
        Job resolved = queue.resolve(job);
        assertThat(queue.stopRequested(resolved)).isFalse();
        queue.warn(resolved, Stage.RUN, "0/1 nodes are available: 1 Insufficient cpu.");
        server.setRunState(TEAM, "vision", job.runId(), "finished");
        queue.complete(resolved, RunStatus.of(RunState.SUCCEEDED));
        queue.agentState(AgentState.POLLING);
        queue.agentState(AgentState.STOPPED);
        queue.close();

        assertThat(server.operations()).containsExactly(
                "Viewer", "ProjectRunQueues", "createLaunchAgent", "EntityIsTeam", "LaunchAgent",
                "LaunchAgent", "popFromRunQueue",
                "updateLaunchAgent", "ackRunQueueItem",
                "ArtifactMembershipByName", "FetchArtifactManifest", "GetArtifactFileUrls",
                "RunStoppedStatus", "updateRunQueueItemWarning",
                "RunState", "updateLaunchAgent",
                "updateLaunchAgent");
        assertThat(server.calls("updateLaunchAgent")).extracting(c -> c.variable("agentStatus"))
                .containsExactly("RUNNING", "POLLING", "KILLED");
        assertThat(resolved.source()).isInstanceOf(JobSource.Image.class);
        assertThat(server.item(itemId).orElseThrow().state()).isEqualTo("CLAIMED");
        assertThat(server.item(itemId).orElseThrow().warnings()).hasSize(1);
        assertNoApiKeyOutsideTheAuthHeader();
    }

    private void assertNoApiKeyOutsideTheAuthHeader() {
        List<RecordedCall> calls = server.calls();
        assertThat(calls).isNotEmpty();
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.body()).doesNotContain(server.apiKey());
            assertThat(c.variables().toString()).doesNotContain(server.apiKey());
        });
        assertThat(calls).filteredOn(c -> c.kind() == RecordedCall.Kind.GRAPHQL)
                .allSatisfy(c -> assertThat(c.authorization()).isTrue());
        assertThat(calls).filteredOn(c -> c.kind() == RecordedCall.Kind.DOWNLOAD)
                .isNotEmpty().allSatisfy(c -> assertThat(c.authorization()).isFalse());
    }
}
