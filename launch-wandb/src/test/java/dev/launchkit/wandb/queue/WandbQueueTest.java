package dev.launchkit.wandb.queue;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static dev.launchkit.wandb.WandbTestSupport.context;
import static dev.launchkit.wandb.WandbTestSupport.imageSpec;
import static dev.launchkit.wandb.WandbTestSupport.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.testkit.wandb.Fault;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.ItemView;
import dev.launchkit.testkit.wandb.RecordedCall;
import dev.launchkit.wandb.WandbTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final FakeWandbServer server = FakeWandbServer.start();
    @TempDir
    Path downloads;
    private LaunchContext ctx;
    private WandbSession session;
    private WandbQueue queue;

    @BeforeEach
    void connect() {
        server.addTeam(TEAM);
        server.createQueue(TEAM, "k8s-test");
        ctx = context(server);
        session = session(server, ctx, downloads);
        queue = session.queue("k8s-test");
        session.register();
    }

    @AfterEach
    void stop() {
        queue.close();
        server.close();
    }

    /** Polls until a job arrives (a poll between ticks says no without asking the server). */
    private Job next() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Job> job = queue.poll(Duration.ofMillis(200));
            if (job.isPresent()) {
                return job.get();
            }
        }
        throw new AssertionError("no job within " + WAIT + "; calls: " + server.calls());
    }

    private ItemView item(String id) {
        return server.item(id).orElseThrow();
    }

    @Test
    void popsAnImageJobWithTheRunIdFromTheSpecAndAcksIt() throws Exception {
        ObjectNode spec = imageSpec(TEAM, "Vision");
        spec.put("run_id", "abc12345");
        String id = server.pushItem(TEAM, "k8s-test", spec);

        Job job = next();
        queue.ack(job, job.runId());

        assertThat(job.itemId()).isEqualTo(id);
        assertThat(job.runId()).isEqualTo("abc12345");
        assertThat(job.entity()).isEqualTo(TEAM);
        assertThat(job.source()).isInstanceOf(JobSource.Image.class);
        assertThat(job.attributes()).containsEntry(WandbQueue.ATTR_QUEUE_ID, queue.id());
        assertThat(item(id).state()).isEqualTo("CLAIMED");
        assertThat(item(id).associatedRunId()).isEqualTo("abc12345");
        RecordedCall pop = server.calls("popFromRunQueue").get(0);
        assertThat(pop.variable("project")).isEqualTo("model-registry");
        assertThat(pop.variable("launchAgentId")).isEqualTo(server.agents().get(0).id());
    }

    @Test
    void generatesAnEightCharacterRunIdWhenTheSpecHasNone() throws Exception {
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));

        Job job = next();

        assertThat(job.runId()).matches("[a-z0-9]{8}");
        assertThat(job.spec().runId()).contains(job.runId());
    }

    @Test
    void acceptsARunSpecSentAsAJsonString() throws Exception {
        server.runSpecAsString(true);
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));

        Job job = next();

        assertThat(job.spec().dockerImage()).contains("python:3.12-slim");
        assertThat(server.calls("popFromRunQueue").get(0).response()).contains("\"runSpec\":\"{");
    }

    @Test
    void aMalformedItemIsFailedWithTheParseMessageAndPollingGoesOn() throws Exception {
        String bad = server.pushRawItem(TEAM, "k8s-test", "{\"entity\": \"my-team\", ");
        String good = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));

        Job job = next();

        assertThat(job.itemId()).isEqualTo(good);
        ItemView failed = item(bad);
        assertThat(failed.state()).isEqualTo("FAILED");
        assertThat(failed.failure().stage()).isEqualTo("agent");
        assertThat(failed.failure().message()).contains("runSpec could not be read", "not valid JSON");
    }

    @Test
    void anItemForAnotherEntityIsFailedClearly() throws Exception {
        String other = server.pushItem(TEAM, "k8s-test", imageSpec("someone-else", "vision"));
        String mine = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));

        Job job = next();

        assertThat(job.itemId()).isEqualTo(mine);
        assertThat(item(other).failure().message())
                .contains("targets entity 'someone-else', but this agent serves entity 'my-team'")
                .contains("allow_other_entities");
    }

    @Test
    void aSpecWithNeitherImageNorJobIsFailed() throws Exception {
        ObjectNode spec = imageSpec(TEAM, "vision");
        spec.remove("docker");
        String id = server.pushItem(TEAM, "k8s-test", spec);
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));

        next();

        assertThat(item(id).failure().message()).contains("names no image and no job");
    }

    @Test
    void failReportsTheStageAndMessageOnce() throws Exception {
        String id = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job job = next();
        queue.ack(job, job.runId());

        queue.fail(job, Stage.BUILD, "kaniko: exit 1");
        queue.fail(job, Stage.BUILD, "kaniko: exit 1");

        assertThat(item(id).failure()).isEqualTo(new ItemView.Report("build", "kaniko: exit 1", java.util.List.of()));
        assertThat(server.calls("failRunQueueItem")).hasSize(1);
    }

    @Test
    void failureMessagesAreMaskedBeforeTheyLeave() throws Exception {
        String id = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job job = next();

        queue.fail(job, Stage.RUN, "env WANDB_API_KEY=" + server.apiKey());

        assertThat(item(id).failure().message()).isEqualTo("env WANDB_API_KEY=****");
    }

    @Test
    void warningsGoOutOncePerMessageWithWandbsStageNames() throws Exception {
        ObjectNode spec = imageSpec(TEAM, "vision");
        spec.put("resource", "kubernetes");
        String id = server.pushItem(TEAM, "k8s-test", spec);
        Job job = next();

        queue.warn(job, Stage.RUN, "0/3 nodes are available");
        queue.warn(job, Stage.RUN, "0/3 nodes are available");
        queue.warn(job, Stage.BUILD, "Some packages were not successfully installed during the build");

        assertThat(item(id).warnings()).extracting(ItemView.Report::stage, ItemView.Report::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Kubernetes", "0/3 nodes are available"),
                org.assertj.core.groups.Tuple.tuple("build",
                        "Some packages were not successfully installed during the build"));
    }

    @Test
    void aStopRequestedInTheUiIsSeen() throws Exception {
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "Vision"));
        Job job = next();
        assertThat(queue.stopRequested(job)).isFalse();

        server.markRunStopped(TEAM, "vision", job.runId());

        assertThat(queue.stopRequested(job)).isTrue();
        RecordedCall call = server.calls("RunStoppedStatus").get(1);
        assertThat(call.variable("projectName")).isEqualTo("vision");
        assertThat(call.variable("entityName")).isEqualTo(TEAM);
        assertThat(call.variable("runId")).isEqualTo(job.runId());
    }

    @Test
    void aPreemptedJobIsRequeuedToResumeTheSameRun() throws Exception {
        ObjectNode spec = imageSpec(TEAM, "vision");
        spec.put("sweep_id", "sw1");
        spec.put("_wandb_api_key", "per-run-secret-key-000");
        server.setSweepState(TEAM, "vision", "sw1", "RUNNING");
        server.pushItem(TEAM, "k8s-test", spec);
        Job job = next();

        assertThat(queue.requeue(job)).isTrue();

        RecordedCall push = server.calls("pushToRunQueueByName").get(0);
        assertThat(push.variable("queueName")).isEqualTo("k8s-test");
        assertThat(push.variable("projectName")).isEqualTo("model-registry");
        Job again = next();
        assertThat(again.runId()).isEqualTo(job.runId());
        assertThat(again.spec().resumeCount()).isEqualTo(1);
        assertThat(again.spec().sweepId()).isEmpty();
        assertThat(again.spec().wandbApiKey()).isEmpty();
        assertThat(push.body()).doesNotContain("per-run-secret-key-000");
        assertThat(ctx.masker().mask("key per-run-secret-key-000")).isEqualTo("key ****");
    }

    @Test
    void aRunThatNeverCalledWandbInitFailsItsItemAtStageRun() throws Exception {
        String id = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job job = next();
        queue.ack(job, job.runId());

        queue.complete(job, RunStatus.of(RunState.SUCCEEDED));

        assertThat(item(id).failure().stage()).isEqualTo("run");
        assertThat(item(id).failure().message())
                .startsWith("The submitted job exited successfully but failed to call wandb.init");
        assertThat(server.calls("RunState").size()).isBetween(2, 5);
    }

    @Test
    void aRunThatCalledWandbInitLeavesItsItemToTheRun() throws Exception {
        String id = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job job = next();
        queue.ack(job, job.runId());
        server.setRunState(TEAM, "vision", job.runId(), "finished");

        queue.complete(job, RunStatus.of(RunState.SUCCEEDED));

        assertThat(item(id).state()).isEqualTo("CLAIMED");
        assertThat(server.calls("RunState")).hasSize(1);
        RecordedCall call = server.calls("RunState").get(0);
        assertThat(call.variable("name")).isEqualTo(job.runId());
    }

    @Test
    void aServerErrorDuringPopBacksOffAndPollingRecovers() throws Exception {
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        server.injectAlways("popFromRunQueue", Fault.status(502));

        assertThatThrownBy(this::next)
                .isInstanceOf(QueueException.class)
                .hasMessageContaining("popping from W&B queue k8s-test failed")
                .hasMessageContaining("HTTP 502");
        server.clearFaults();

        Job job = next();

        assertThat(job.itemId()).isNotEmpty();
        long failedPops = server.calls("popFromRunQueue").stream().filter(c -> c.status() == 502).count();
        assertThat(failedPops).isEqualTo(3);
    }

    @Test
    void aMalformedPopResponseIsAQueueErrorQuotingTheServer() {
        server.inject("popFromRunQueue", Fault.malformedJson(), 1);

        assertThatThrownBy(this::next)
                .isInstanceOf(QueueException.class)
                .hasMessageContaining("not a JSON object")
                .hasMessageContaining("502 Bad Gateway (proxy)");
    }

    @Test
    void aGraphqlErrorOnPopIsQuoted() {
        server.inject("popFromRunQueue", Fault.graphqlError("queue is being migrated"), 1);

        assertThatThrownBy(this::next)
                .isInstanceOf(QueueException.class)
                .hasMessageContaining("queue is being migrated");
    }

    @Test
    void ackThatWandbRefusesFailsTheJobAtStageAgent() throws Exception {
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job job = next();
        queue.ack(job, job.runId());
        WandbQueue sameQueueOfAnotherAgent = WandbTestSupport.session(server, context(server), downloads)
                .queue("k8s-test");

        assertThatThrownBy(() -> sameQueueOfAnotherAgent.ack(job, job.runId()))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("may have already been acknowledged by another agent")
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT));
    }

    @Test
    void stopPollingFromTheUiIsHonoured() throws Exception {
        assertThat(queue.stopPollingRequested()).isFalse();
        server.stopPolling(session.registration().orElseThrow().agentId());
        server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));

        WandbTestSupport.await("stopPolling to be seen", WAIT, queue::stopPollingRequested);

        assertThat(queue.poll(Duration.ofMillis(50))).isEmpty();
    }

    @Test
    void agentStatusIsSentOnChangesAndKilledAtTheEnd() {
        queue.agentState(AgentState.RUNNING);
        queue.agentState(AgentState.RUNNING);
        queue.agentState(AgentState.POLLING);
        queue.agentState(AgentState.STOPPED);

        assertThat(server.agents().get(0).statuses()).containsExactly("RUNNING", "POLLING", "KILLED");
    }

    @Test
    void prioritisedQueuesPopCriticalItemsFirst() throws Exception {
        server.createQueue(TEAM, "prio", "kubernetes", FakeWandbServer.json("{}"), java.util.List.of(), true);
        WandbSession s = session(server, context(server), downloads);
        WandbQueue prio = s.queue("prio");
        String low = server.pushItem(TEAM, "prio", imageSpec(TEAM, "p"), 3, java.util.Map.of());
        String critical = server.pushItem(TEAM, "prio", imageSpec(TEAM, "p"), 0, java.util.Map.of());
        queue = prio;

        assertThat(next().itemId()).isEqualTo(critical);
        assertThat(next().itemId()).isEqualTo(low);
    }

    @Test
    void theQueueConfigMergedByTheServerReachesTheJob() throws Exception {
        JsonNode jobSpec = FakeWandbServer.yaml("""
                metadata:
                  namespace: wandb
                spec:
                  template:
                    spec:
                      containers:
                        - resources: {requests: {cpu: 1000m}}
                """);
        server.createQueue(TEAM, "configured", "kubernetes", jobSpec);
        queue = session(server, context(server), downloads).queue("configured");
        server.pushItem(TEAM, "configured", imageSpec(TEAM, "vision"));

        Job job = next();

        assertThat(job.resource("none")).isEqualTo("kubernetes");
        assertThat(job.spec().resourceArgs("kubernetes").path("metadata").path("namespace").asText()).isEqualTo("wandb");
    }

    @Test
    void sweepRunsStartOnlyWhileTheirSweepRuns() throws Exception {
        ObjectNode spec = imageSpec(TEAM, "vision");
        spec.put("sweep_id", "sw9");
        server.setSweepState(TEAM, "vision", "sw9", "FINISHED");
        server.pushItem(TEAM, "k8s-test", spec);
        Job job = next();

        assertThatThrownBy(() -> queue.resolve(job))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("sweep sw9 is in the terminal state FINISHED");
    }

    @Test
    void anAckedItemIsRecoveredAfterARestartAndAFailedOneIsNot() throws Exception {
        String claimed = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job job = next();
        queue.ack(job, job.runId());
        String failed = server.pushItem(TEAM, "k8s-test", imageSpec(TEAM, "vision"));
        Job other = next();
        queue.fail(other, Stage.RUN, "boom");
        WandbQueue restarted = session(server, context(server), downloads).queue("k8s-test");

        assertThat(restarted.recover(claimed, job.runId())).hasValueSatisfying(j -> {
            assertThat(j.runId()).isEqualTo(job.runId());
            assertThat(j.entity()).isEqualTo(TEAM);
        });
        assertThat(restarted.recover(failed, other.runId())).isEmpty();
    }
}
