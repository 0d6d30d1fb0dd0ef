package dev.launchkit.core.queue.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.queue.InvalidItemException;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import dev.launchkit.core.queue.TemplateVariable;
import dev.launchkit.core.queue.TemplateVariableException;
import dev.launchkit.core.testutil.Seed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryQueueTest {
    private static final Duration NOW = Duration.ZERO;

    private static LaunchSpec spec(String name) {
        return LaunchSpec.parse("{\"entity\":\"team\",\"project\":\"p\",\"name\":\"" + name
                + "\",\"docker\":{\"docker_image\":\"python:3.11\"}}");
    }

    private static Job pop(Queue q) throws InterruptedException {
        return q.poll(NOW).orElseThrow(() -> new AssertionError("queue was empty"));
    }

    @Test
    void createsQueueWithSeedKubernetesSpecAndMergesItIntoPushedItems() throws Exception {
        MemoryQueues queues = new MemoryQueues();
        queues.create(QueueDefinition.of("k8s-test", "kubernetes", Seed.queueK8sJob()).withEntity("team"));

        queues.push("k8s-test", spec("a"));
        Job job = pop(queues.queue("k8s-test"));

        assertThat(queues.list()).extracting(QueueDefinition::name).containsExactly("k8s-test");
        assertThat(job.spec().resource()).contains("kubernetes");
        assertThat(job.spec().resourceArgs("kubernetes")).isEqualTo(Seed.queueK8sJob());
        assertThat(job.entity()).isEqualTo("team");
        assertThat(job.source()).isInstanceOf(JobSource.Image.class);
    }

    @Test
    void popsByPriorityThenFirstInFirstOut() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        q.push(spec("low"), Priority.LOW, Map.of());
        q.push(spec("medium-1"), Priority.MEDIUM, Map.of());
        q.push(spec("critical"), Priority.CRITICAL, Map.of());
        q.push(spec("medium-2"), Priority.MEDIUM, Map.of());
        q.push(spec("high"), Priority.HIGH, Map.of());

        assertThat(q.pending()).extracting(i -> i.spec().name().orElseThrow())
                .containsExactly("critical", "high", "medium-1", "medium-2", "low");
        List<String> popped = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            popped.add(pop(q).spec().name().orElseThrow());
        }
        assertThat(popped).containsExactly("critical", "high", "medium-1", "medium-2", "low");
        assertThat(q.poll(NOW)).isEmpty();
    }

    @Test
    void popsFirstInFirstOutWhenPrioritizationIsDisabledAndRefusesOtherPriorities() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q").withPrioritization(PrioritizationMode.DISABLED));
        q.push(spec("first"));
        q.push(spec("second"));

        assertThatThrownBy(() -> q.push(spec("x"), Priority.HIGH, Map.of()))
                .isInstanceOf(InvalidItemException.class)
                .hasMessageContaining("queue 'q' has prioritization disabled");
        assertThat(pop(q).spec().name()).contains("first");
        assertThat(pop(q).spec().name()).contains("second");
    }

    @Test
    void validatesTemplateValuesOnPushNamingTheVariable() {
        MemoryQueues queues = new MemoryQueues();
        queues.create(QueueDefinition.of("gpu", "kubernetes",
                Seed.queueK8sJob().put("parallelism", "{{gpus}}"),
                List.of(TemplateVariable.integer("gpus").minimum(1).maximum(4))));

        assertThatThrownBy(() -> queues.push("gpu", spec("a"), Priority.MEDIUM, Map.of("gpus", 9)))
                .isInstanceOf(TemplateVariableException.class)
                .hasMessage("template variable 'gpus': 9 is above the maximum 4");
        String id = queues.push("gpu", spec("a"), Priority.MEDIUM, Map.of("gpus", "2"));
        assertThat(queues.pending("gpu")).extracting(QueueItem::id).containsExactly(id);
        assertThat(queues.pending("gpu").get(0).spec().resourceArgs("kubernetes").get("parallelism").intValue())
                .isEqualTo(2);
    }

    @Test
    void refusesSpecWithWrongTypesNamingTheField() {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));

        assertThatThrownBy(() -> q.push(LaunchSpec.parse("{\"overrides\":{\"args\":{\"epochs\":3}}}")))
                .isInstanceOf(InvalidItemException.class)
                .hasMessage("launch spec: overrides.args: expected a list of strings, got a mapping");
    }

    @Test
    void recordsAckWarningsFailureAndCompletionForAssertions() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        String failing = q.push(spec("failing"));
        String passing = q.push(spec("passing"));

        Job a = pop(q);
        q.ack(a, a.runId());
        q.warn(a, Stage.RUN, "ImagePullBackOff: retrying");
        q.fail(a, Stage.RUN, "the run failed: exit code 2");
        q.fail(a, Stage.AGENT, "a retried report must not overwrite the first");
        Job b = pop(q);
        q.ack(b, b.runId());
        q.complete(b, RunStatus.of(RunState.SUCCEEDED, "Completed", ""));

        ItemResult fa = q.result(failing).orElseThrow();
        assertThat(fa.state()).isEqualTo(ItemState.FAILED);
        assertThat(fa.stage()).contains(Stage.RUN);
        assertThat(fa.message()).isEqualTo("the run failed: exit code 2");
        assertThat(fa.runId()).contains(a.runId());
        assertThat(fa.warnings()).extracting(w -> w.message()).containsExactly("ImagePullBackOff: retrying");
        ItemResult pb = q.result(passing).orElseThrow();
        assertThat(pb.state()).isEqualTo(ItemState.DONE);
        assertThat(pb.runState()).contains(RunState.SUCCEEDED);
        assertThat(pb.endedAt()).isPresent();
        assertThat(q.results()).extracting(ItemResult::itemId).containsExactly(failing, passing);
    }

    @Test
    void forgetsEndedItemsOnRequestAndKeepsRunningOnes() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        String ended = q.push(spec("a"));
        String running = q.push(spec("b"));
        Job a = pop(q);
        pop(q);
        q.complete(a, RunStatus.of(RunState.SUCCEEDED));

        assertThat(q.clearEnded()).isEqualTo(1);
        assertThat(q.result(ended)).isEmpty();
        assertThat(q.result(running)).map(ItemResult::state).contains(ItemState.RUNNING);
    }

    @Test
    void generatesWandbStyleRunIdsUnlessTheSpecHasOne() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        q.push(spec("generated"));
        q.push(spec("forced").withRunId("myrun123"));

        Job generated = pop(q);
        Job forced = pop(q);

        assertThat(generated.runId()).matches("[a-z0-9]{8}");
        assertThat(generated.spec().runId()).contains(generated.runId());
        assertThat(forced.runId()).isEqualTo("myrun123");
    }

    @Test
    void failsItemWithoutImageAtAgentStageAndServesTheNext() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        String bad = q.push(LaunchSpec.parse("{\"entity\":\"team\",\"project\":\"p\"}"));
        q.push(spec("good"));

        Job job = pop(q);

        assertThat(job.spec().name()).contains("good");
        ItemResult r = q.result(bad).orElseThrow();
        assertThat(r.state()).isEqualTo(ItemState.FAILED);
        assertThat(r.stage()).contains(Stage.AGENT);
        assertThat(r.message()).contains("names no image and no job");
    }

    @Test
    void pollWaitsForAnItemPushedByAnotherThread() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        CompletableFuture<Optional<Job>> polled = CompletableFuture.supplyAsync(() -> {
            try {
                return q.poll(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        q.push(spec("late"));

        assertThat(polled.get(20, TimeUnit.SECONDS)).map(j -> j.spec().name().orElseThrow()).contains("late");
    }

    @Test
    void requeuesPreemptedJobToResumeTheSameRun() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        String first = q.push(spec("a").with("sweep_id", "sw1"), Priority.HIGH, Map.of());
        Job job = pop(q);

        assertThat(q.requeue(job)).isTrue();
        q.complete(job, RunStatus.of(RunState.PREEMPTED, "Evicted", "node drained"));
        Job resumed = pop(q);

        assertThat(resumed.runId()).isEqualTo(job.runId());
        assertThat(resumed.spec().resumeCount()).isEqualTo(1);
        assertThat(resumed.spec().sweepId()).isEmpty();
        assertThat(resumed.attributes()).containsEntry("priority", "high");
        assertThat(q.result(first).orElseThrow().requeuedAs()).contains(resumed.itemId());
        assertThat(q.result(first).orElseThrow().runState()).contains(RunState.PREEMPTED);
    }

    @Test
    void recoversRunningItemWithTheRunnersRunId() throws Exception {
        MemoryQueue q = new MemoryQueue(QueueDefinition.bare("q"));
        String id = q.push(spec("a"));
        Job job = pop(q);

        assertThat(q.recover(id, "adopted1")).map(Job::runId).contains("adopted1");
        q.complete(job, RunStatus.of(RunState.SUCCEEDED));
        assertThat(q.recover(id, "adopted1")).isEmpty();
        assertThat(q.recover("item-404", "x")).isEmpty();
    }

    @Test
    void adminCreatesUpdatesListsAndDeletesQueues() throws Exception {
        MemoryQueues queues = new MemoryQueues();
        queues.create(QueueDefinition.bare("b"));
        queues.upsert(QueueDefinition.bare("a"));

        assertThatThrownBy(() -> queues.create(QueueDefinition.bare("a")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already exists; use upsert");
        assertThatThrownBy(() -> queues.update(QueueDefinition.bare("zzz")))
                .hasMessageContaining("there is no queue named 'zzz'; create it first (queues: a, b)");
        queues.update(QueueDefinition.bare("a").withEntity("team2"));
        assertThat(queues.get("a")).map(QueueDefinition::entity).contains("team2");
        assertThat(queues.list()).extracting(QueueDefinition::name).containsExactly("a", "b");

        queues.push("a", spec("x"));
        pop(queues.queue("a"));
        assertThatThrownBy(() -> queues.delete("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has 1 running item(s)");
        assertThat(queues.delete("b")).isTrue();
        assertThat(queues.delete("b")).isFalse();
        assertThat(queues.get("b")).isEmpty();
    }

    @Test
    void providerGivesEachAgentItsOwnQueuesUnlessGivenAShared() throws Exception {
        QueueProvider discovered = Plugins.load(QueueProvider.class, "queue backend").require("memory");
        LaunchContext ctx = LaunchContext.basic(Map.of());
        ConfigNode block = ConfigNode.empty("launch-config.yaml");

        Queue agent1 = discovered.create("jobs", "team", block, ctx);
        Queue agent2 = discovered.create("jobs", "team", block, ctx);
        ((MemoryQueue) agent1).push(spec("only-for-agent-1"));

        assertThat(agent2.poll(NOW)).isEmpty();
        assertThat(agent1.poll(NOW)).isPresent();

        MemoryQueues mine = new MemoryQueues();
        MemoryQueueProvider shared = new MemoryQueueProvider(mine);
        Queue viaProvider = shared.create("jobs", "team", block, ctx);
        mine.push("jobs", spec("embedder-push"));
        assertThat(viaProvider.poll(NOW)).map(j -> j.spec().name().orElseThrow()).contains("embedder-push");
        ctx.scheduler().shutdownNow();
    }
}
