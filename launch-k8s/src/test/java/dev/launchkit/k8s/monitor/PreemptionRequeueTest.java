package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.await;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunState;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.agent.RequeuePolicy;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.Labels;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A preempted run through the whole agent: requeued as the same run (same run id, {@code _resume_count} + 1) with a
 * Job of its own while the queue allows it, failed once the attempts are used up or when the queue does not requeue.
 */
class PreemptionRequeueTest {
    private final SimulatedRuns sim = new SimulatedRuns();
    private final MemoryQueue queue = new MemoryQueue(QueueDefinition.bare("k8s-test"));
    private LaunchAgent agent;

    @AfterEach
    void stop() {
        sim.close();
        if (agent != null) {
            agent.stop(Duration.ofSeconds(5));
        }
    }

    private void start(RequeuePolicy requeue) {
        agent = LaunchAgent.builder().queue(queue).runner(sim.runner()).context(sim.context).maxJobs(-1)
                .pollWait(Duration.ofMillis(20)).requeue(requeue).build();
        agent.start();
    }

    private static LaunchSpec preemptedSpec() {
        return job("preempt1", "preempted", Map.of(),
                c -> ((ObjectNode) c.get("spec")).put("backoffLimit", 0)).spec();
    }

    @Test
    void aPreemptedRunIsRequeuedAsTheSameRunInANewJobUntilItsAttemptsAreUsedUp() throws Exception {
        start(new RequeuePolicy(q -> q.equals("k8s-test"), 2));
        String first = queue.push(preemptedSpec());

        await("three attempts to end", () -> queue.results().size() == 3
                && queue.results().stream().allMatch(r -> r.state().isEnded()));

        List<ItemResult> items = queue.results();
        assertThat(items.get(0).itemId()).isEqualTo(first);
        assertThat(items.get(0).runState()).contains(RunState.PREEMPTED);
        assertThat(items.get(0).requeuedAs()).contains(items.get(1).itemId());
        assertThat(items.get(1).runState()).contains(RunState.PREEMPTED);
        assertThat(items.get(1).requeuedAs()).contains(items.get(2).itemId());
        assertThat(items.get(2).state()).isEqualTo(ItemState.FAILED);
        assertThat(items.get(2).message()).contains("preempted").contains("already resumed 2 times");
        assertThat(items).allSatisfy(r -> assertThat(r.runId()).contains("preempt1"));

        // Each attempt ran in a Job of its own, all labelled with the one run id.
        List<V1Job> jobs = new BatchV1Api(sim.cluster.apiClient()).listNamespacedJob(NAMESPACE).execute().getItems();
        assertThat(jobs).extracting(j -> j.getMetadata().getName())
                .containsExactlyInAnyOrder("launch-preempt1", "launch-preempt1-r1", "launch-preempt1-r2");
        assertThat(jobs).allSatisfy(j -> {
            assertThat(j.getMetadata().getLabels()).containsEntry(Labels.RUN_ID, "preempt1");
            assertThat(j.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType()).isEqualTo("Failed"));
        });
    }

    @Test
    void aQueueThatDoesNotRequeueFailsThePreemptedRunSayingSo() throws Exception {
        start(RequeuePolicy.never());
        String item = queue.push(preemptedSpec());

        await("the item to end", () -> queue.result(item).map(r -> r.state().isEnded()).orElse(false));

        ItemResult result = queue.result(item).orElseThrow();
        assertThat(result.state()).isEqualTo(ItemState.FAILED);
        assertThat(result.message()).contains("preempted").contains("PreemptionByScheduler")
                .contains("requeueing is off for this queue");
        assertThat(queue.results()).hasSize(1);
    }
}
