package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.NAMESPACE;
import static dev.launchkit.k8s.monitor.SimulatedRuns.await;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.RunState;
import dev.launchkit.core.Runner;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.memory.MemoryQueue;
import dev.launchkit.k8s.KubernetesRunner;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Restart safety with the whole core agent: a {@link LaunchAgent} polling a memory queue and submitting through the
 * {@link KubernetesRunner} to the simulated cluster is stopped mid-run without reporting, a new agent starts on the
 * same queue, and every run ends and is reported exactly once to its own queue item — the runs that ended before
 * the restart (by the first agent), while no agent ran, and after the restart (by the second).
 */
class AgentRestartTest {
    private final SimulatedRuns sim = new SimulatedRuns(Duration.ofMillis(20), "");
    private final MemoryQueue memory = new MemoryQueue(QueueDefinition.bare("k8s-test"));
    private final CountingQueue queue = new CountingQueue(memory);
    private final JobFinisher finisher = new JobFinisher(sim.cluster);

    @AfterEach
    void stop() {
        sim.close();
    }

    private LaunchAgent agent(String name, Runner runner) {
        return LaunchAgent.builder().name(name).queue(queue).runner(runner).context(sim.context).maxJobs(-1)
                .pollWait(Duration.ofMillis(20)).build();
    }

    /**
     * The runner of an agent that may be killed: closing it does nothing, as a killed process closes nothing (the
     * real runners are closed after the cluster, see {@link SimulatedRuns#close()}).
     */
    private static Runner killable(KubernetesRunner runner) {
        return new Runner() {
            @Override
            public String type() {
                return runner.type();
            }

            @Override
            public SubmittedRun submit(Job job, ImageRef image) {
                return runner.submit(job, image);
            }

            @Override
            public List<SubmittedRun> adopt() {
                return runner.adopt();
            }
        };
    }

    @Test
    void aKilledAgentsRunsAreAdoptedByTheNextAgentAndEachIsReportedOnceToItsItem() throws Exception {
        Map<String, String> items = new LinkedHashMap<>();   // run id -> item id
        LaunchAgent first = agent("first", killable(sim.runner()));
        first.start();
        for (String runId : List.of("early001", "early002")) {
            items.put(runId, memory.push(job(runId, "succeed").spec()));
        }
        await("the early runs to be reported by the first agent", () -> ended(items.get("early001"))
                && ended(items.get("early002")));
        for (String runId : List.of("down0001", "down0002", "after001", "after002")) {
            items.put(runId, memory.push(job(runId, "run-forever").spec()));
        }
        await("the long runs to be running", () -> running() == 4);

        // Killed mid-run: its job threads give up at once and report nothing of the four long runs; its runner's
        // watches are left as a dead process leaves them.
        first.stop(Duration.ZERO);
        assertThat(queue.reports()).containsOnlyKeys(items.get("early001"), items.get("early002"));

        // While no agent runs, two runs end.
        finisher.finish(NAMESPACE, "launch-down0001", 0, "epoch 10/10 done\n");
        finisher.finish(NAMESPACE, "launch-down0002", 3, "Traceback (most recent call last):\nValueError: bad lr\n");
        LaunchAgent second = agent("second", killable(sim.runner()));
        second.start();
        await("the second agent to follow the four runs", () -> second.activeJobs() == 2);
        finisher.finish(NAMESPACE, "launch-after001", 0, "ok\n");
        finisher.finish(NAMESPACE, "launch-after002", 1, "CUDA error: out of memory\n");
        await("every item to end", () -> items.values().stream().allMatch(this::ended));
        await("the second agent to go idle", () -> second.activeJobs() == 0);

        assertThat(queue.reports()).hasSize(6);
        assertThat(queue.reports().get(items.get("early001"))).containsExactly("complete succeeded");
        assertThat(queue.reports().get(items.get("early002"))).containsExactly("complete succeeded");
        assertThat(queue.reports().get(items.get("down0001"))).containsExactly("complete succeeded");
        assertThat(queue.reports().get(items.get("down0002"))).containsExactly("fail run");
        assertThat(queue.reports().get(items.get("after001"))).containsExactly("complete succeeded");
        assertThat(queue.reports().get(items.get("after002"))).containsExactly("fail run");
        items.forEach((runId, itemId) ->
                assertThat(memory.result(itemId).orElseThrow().runId()).contains(runId));
        assertThat(memory.result(items.get("down0002")).orElseThrow().message())
                .contains("exited with code 3").contains("ValueError: bad lr");
        assertThat(memory.result(items.get("after002")).orElseThrow().message())
                .contains("CUDA error: out of memory");
        assertThat(memory.result(items.get("down0001")).orElseThrow().runState()).contains(RunState.SUCCEEDED);

        List<V1Job> jobs = new BatchV1Api(sim.cluster.apiClient()).listNamespacedJob(NAMESPACE).execute().getItems();
        assertThat(jobs).hasSize(6).allSatisfy(j -> assertThat(j.getMetadata().getAnnotations())
                .containsKey(KubernetesRunMonitor.REPORTED_ANNOTATION));

        // A third agent finds nothing left to report.
        LaunchAgent third = agent("third", killable(sim.runner()));
        third.start();
        assertThat(third.activeJobs()).isZero();
        third.stop(Duration.ofSeconds(5));
        second.stop(Duration.ofSeconds(5));
        assertThat(queue.reports().values()).allSatisfy(r -> assertThat(r).hasSize(1));
    }

    private boolean ended(String itemId) {
        return memory.result(itemId).map(ItemResult::state).filter(ItemState::isEnded).isPresent();
    }

    private long running() {
        try {
            return new CoreV1Api(sim.cluster.apiClient()).listNamespacedPod(NAMESPACE).execute().getItems().stream()
                    .filter(p -> "Running".equals(p.getStatus().getPhase())).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
