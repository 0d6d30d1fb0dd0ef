package dev.launchkit.core.queue.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.queue.QueueDefinition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed agent leaves in {@code running/}, and how the next agent gets it back without stealing. */
class DirectoryQueueCrashTest {
    private static final LaunchSpec SPEC = LaunchSpec.parse(
            "{\"entity\":\"team\",\"project\":\"p\",\"docker\":{\"docker_image\":\"python:3.11\"}}");

    @TempDir
    Path root;

    private static Set<String> push(DirectoryQueues queues, int n) {
        queues.upsert(QueueDefinition.bare("q"));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(queues.push("q", SPEC.with("name", "item-" + i)));
        }
        return ids;
    }

    /** Takes the next item and acks it with its run id, as an agent does before it submits the run. */
    private static Job takeAndAck(DirectoryQueue q) throws InterruptedException {
        Job job = q.poll(Duration.ofMillis(100)).orElseThrow();
        q.ack(job, job.runId());
        return job;
    }

    @Test
    void itemsOfAKilledProcessArePendingAgainAfterReleaseButNotWhileItLives() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        Set<String> ids = push(queues, 5);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                HoldWorker.class.getName(), root.toString(), "q", "3").redirectErrorStream(true).start();
        List<String> took = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("HOLDING")) {
                if (line.startsWith("TOOK ")) {
                    took.add(line.substring(5));
                }
            }
            assertThat(took).hasSize(3);
            try (DirectoryQueue restarted = queues.open("q")) {
                assertThat(restarted.releaseAbandoned()).as("the holder is alive").isZero();
                assertThat(restarted.running()).containsExactlyInAnyOrderElementsOf(took);

                p.destroyForcibly();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

                assertThat(restarted.releaseAbandoned()).isEqualTo(3);
                assertThat(restarted.running()).isEmpty();
                Set<String> polled = new HashSet<>();
                Optional<Job> job;
                while ((job = restarted.poll(Duration.ofMillis(100))).isPresent()) {
                    polled.add(job.get().itemId());
                }
                assertThat(polled).isEqualTo(ids);
                assertThat(restarted.releaseAbandoned()).as("its own items are not abandoned").isZero();
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void itemWithoutHolderMarkIsReleasedOnlyWhenNoOtherAgentHoldsALease() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        push(queues, 1);
        String item = queues.pending("q").get(0).id();
        // An agent that died right after the rename into running/, before marking itself as the holder.
        Files.move(root.resolve("q/pending").resolve(item), root.resolve("q/running").resolve(item));
        try (DirectoryQueue other = queues.open("q"); DirectoryQueue restarted = queues.open("q")) {
            assertThat(restarted.releaseAbandoned()).as("another agent may be the one marking it").isZero();
            other.close();
            assertThat(restarted.releaseAbandoned()).isEqualTo(1);
            assertThat(restarted.poll(Duration.ofMillis(100))).map(Job::itemId).contains(item);
        }
    }

    @Test
    void recoveredItemBelongsToTheRecoveringAgent() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        push(queues, 1);
        DirectoryQueue dead = queues.open("q");
        Job job = takeAndAck(dead);
        dead.close(); // its lease is gone, as when the process dies
        try (DirectoryQueue restarted = queues.open("q")) {
            assertThat(restarted.recover(job.itemId(), job.runId())).isPresent();
            assertThat(restarted.releaseAbandoned()).as("its run survived and was adopted").isZero();
            assertThat(restarted.running()).containsExactly(job.itemId());
        }
    }

    /** An agent that wrote an item's end into running/ and died before moving it there. */
    private static String endedButNotMoved(DirectoryQueues queues, Path root) throws Exception {
        push(queues, 1);
        DirectoryQueue dead = queues.open("q");
        Job job = takeAndAck(dead);
        dead.fail(job, dev.launchkit.core.Stage.RUN, "the run failed: exit code 1");
        dead.close();
        String item = job.itemId();
        Files.move(root.resolve("q/failed").resolve(item), root.resolve("q/running").resolve(item));
        Files.move(root.resolve("q/failed").resolve(item + ".result.json"),
                root.resolve("q/running").resolve(item + ".result.json"));
        return item;
    }

    @Test
    void anItemWhoseEndWasWrittenButNotMovedIsFinishedNotRunAgain() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        String item = endedButNotMoved(queues, root);
        try (DirectoryQueue restarted = queues.open("q")) {
            assertThat(restarted.releaseAbandoned()).as("nothing goes back to pending").isZero();
            assertThat(restarted.poll(Duration.ofMillis(100))).isEmpty();
            assertThat(restarted.running()).isEmpty();
            assertThat(Files.exists(root.resolve("q/failed").resolve(item))).isTrue();
            assertThat(queues.status("q", item)).map(r -> r.state())
                    .contains(dev.launchkit.core.queue.ItemState.FAILED);
        }
    }

    @Test
    void recoveringAnItemWhoseEndWasWrittenFinishesItInsteadOfFollowingItAgain() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        String item = endedButNotMoved(queues, root);
        try (DirectoryQueue restarted = queues.open("q")) {
            assertThat(restarted.recover(item, "any")).isEmpty();
            assertThat(restarted.running()).isEmpty();
            assertThat(Files.exists(root.resolve("q/failed").resolve(item))).isTrue();
        }
    }

    @Test
    void anAbandonedItemWhoseRunWasCreatedButIsGoneFailsInsteadOfRunningTwice() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        push(queues, 2);
        DirectoryQueue dead = queues.open("q");
        Job submitted = takeAndAck(dead);
        dead.submitted(submitted, "wandb/Job/launch-" + submitted.runId());
        Job acked = takeAndAck(dead);
        dead.close(); // died; the first run's Job was then deleted by its TTL, so nothing is adopted

        try (DirectoryQueue restarted = queues.open("q")) {
            assertThat(restarted.releaseAbandoned()).as("only the item that never got a run").isEqualTo(1);
            assertThat(restarted.poll(Duration.ofMillis(100))).map(Job::itemId).contains(acked.itemId());
            assertThat(queues.status("q", submitted.itemId())).hasValueSatisfying(r -> {
                assertThat(r.state()).isEqualTo(dev.launchkit.core.queue.ItemState.FAILED);
                assertThat(r.toString()).contains("wandb/Job/launch-" + submitted.runId())
                        .contains("push the item again");
            });
            try (java.util.stream.Stream<Path> left = Files.list(root.resolve("q/running"))) {
                assertThat(left.map(f -> f.getFileName().toString()).filter(n -> n.contains(submitted.itemId())))
                        .as("no item, result or mark left in running/").isEmpty();
            }
        }
    }
}
