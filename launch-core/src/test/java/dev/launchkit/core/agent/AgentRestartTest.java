package dev.launchkit.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Runner;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.directory.DirectoryQueue;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted agent on a directory queue: runs that survived are adopted, items that never got a run run again. */
class AgentRestartTest {
    private static final LaunchSpec SPEC = LaunchSpec.parse("{\"entity\":\"team\",\"project\":\"p\","
            + "\"resource\":\"scripted\",\"docker\":{\"docker_image\":\"python:3.11\"}}");

    @TempDir
    Path root;

    /**
     * Pushes one item per name to queue "q"; an agent takes and acks them all, as it does before it submits, and
     * dies (its lease goes with its queue).
     *
     * @return the jobs it took, by name
     */
    private static Map<String, Job> takenByAnAgentThatDied(DirectoryQueues queues, String... names)
            throws InterruptedException {
        queues.upsert(QueueDefinition.bare("q"));
        Map<String, String> nameOf = new HashMap<>();
        for (String name : names) {
            nameOf.put(queues.push("q", SPEC.with("name", name)), name);
        }
        Map<String, Job> taken = new HashMap<>();
        try (DirectoryQueue first = queues.open("q")) {
            for (int i = 0; i < names.length; i++) {
                Job job = first.poll(Duration.ofMillis(100)).orElseThrow();
                first.ack(job, job.runId());
                taken.put(nameOf.get(job.itemId()), job);
            }
        }
        return taken;
    }

    /** A runner that submits through {@code scripted} and whose {@code adopt()} is {@code adopt}. */
    private static Runner adopting(ScriptedRunner scripted, Supplier<List<SubmittedRun>> adopt) {
        return new Runner() {
            @Override
            public String type() {
                return "scripted";
            }

            @Override
            public SubmittedRun submit(Job j, dev.launchkit.core.ImageRef image) {
                return scripted.submit(j, image);
            }

            @Override
            public List<SubmittedRun> adopt() {
                return adopt.get();
            }
        };
    }

    @Test
    void restartedAgentRunsItemsTakenButNeverSubmittedAndAdoptsTheRestWithoutRunningThemTwice() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        // The first agent takes both, submits one, and dies.
        Map<String, Job> taken = takenByAnAgentThatDied(queues, "lost-at-submit", "survived");
        String neverSubmitted = taken.get("lost-at-submit").itemId();
        Job submitted = taken.get("survived");
        String survived = submitted.itemId();

        ScriptedRunner runner = new ScriptedRunner();
        runner.autoFinish = RunStatus.of(RunState.SUCCEEDED);
        ScriptedRunner.Run alive = new ScriptedRunner.Run(submitted.runId(), submitted.itemId(), "q");
        runner.toAdopt.add(alive);
        try (LaunchAgent agent = LaunchAgent.builder().runner(runner).queue(queues.open("q")).maxJobs(-1)
                .pollWait(Duration.ofMillis(20)).defaultResource("scripted")
                .context(LaunchContext.basic(Map.of())).build()) {
            agent.start();
            Await.until(() -> runner.submittedOrder.contains(neverSubmitted), () -> "resubmission of the lost item");
            alive.finish(RunStatus.of(RunState.SUCCEEDED));
            Await.until(() -> queues.status("q", survived).map(r -> r.state() == ItemState.DONE).orElse(false)
                    && queues.status("q", neverSubmitted).map(r -> r.state() == ItemState.DONE).orElse(false),
                    () -> "both items done");
        }
        assertThat(runner.submittedOrder).as("the adopted run is not submitted again").containsExactly(neverSubmitted);
    }

    @Test
    void itemsStayTakenWhenARunnerCannotListItsRuns() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        String item = takenByAnAgentThatDied(queues, "taken").get("taken").itemId();
        ScriptedRunner scripted = new ScriptedRunner();
        scripted.autoFinish = RunStatus.of(RunState.SUCCEEDED);
        Runner runner = adopting(scripted, () -> {
            throw new IllegalStateException("forbidden: cannot list jobs");
        });
        DirectoryQueue q = queues.open("q");
        try (LaunchAgent agent = LaunchAgent.builder().runner(runner).queue(q).pollWait(Duration.ofMillis(20))
                .defaultResource("scripted").context(LaunchContext.basic(Map.of())).build()) {
            agent.start();
            String later = queues.push("q", SPEC.with("name", "later"));
            Await.until(() -> queues.status("q", later).map(r -> r.state() == ItemState.DONE).orElse(false),
                    () -> "a later item runs");
            // The later item's result says done a moment before its file leaves running/.
            assertThat(q.running()).contains(item);
            assertThat(scripted.submittedOrder).containsExactly(later);
        }
    }

    @Test
    void runsAPartialAdoptionFoundAreFollowedButNoItemIsPutBack() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        Map<String, Job> taken = takenByAnAgentThatDied(queues, "found", "in-an-unlistable-namespace");
        Job foundJob = taken.get("found");
        String found = foundJob.itemId();
        String unseen = taken.get("in-an-unlistable-namespace").itemId();
        ScriptedRunner scripted = new ScriptedRunner();
        ScriptedRunner.Run alive = new ScriptedRunner.Run(foundJob.runId(), foundJob.itemId(), "q");
        Runner runner = adopting(scripted, () -> {
            throw new dev.launchkit.core.PartialAdoptionException(List.of(alive),
                    "could not list jobs in namespace ml", null);
        });
        DirectoryQueue q = queues.open("q");
        try (LaunchAgent agent = LaunchAgent.builder().runner(runner).queue(q).pollWait(Duration.ofMillis(20))
                .defaultResource("scripted").context(LaunchContext.basic(Map.of())).build()) {
            agent.start();
            alive.finish(RunStatus.of(RunState.SUCCEEDED));
            Await.until(() -> queues.status("q", found).map(r -> r.state() == ItemState.DONE).orElse(false)
                    && !q.running().contains(found), () -> "the found run reported");
            assertThat(q.running()).as("the unseen item may still be running somewhere: not put back")
                    .containsExactly(unseen);
            assertThat(scripted.submittedOrder).isEmpty();
        }
    }
}
