package dev.launchkit.core.queue.directory;

import dev.launchkit.core.Job;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A tiny agent for the multi-process race test: waits for {@code <root>/go}, then takes items from one queue and
 * completes each, printing {@code TOOK <item>} per item, until the queue has nothing pending.
 */
public final class RaceWorker {
    private RaceWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String queue = args[1];
        DirectoryQueues queues = new DirectoryQueues(root);
        try (DirectoryQueue q = queues.open(queue)) {
            System.out.println("READY");
            System.out.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(root.resolve("go")) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            while (true) {
                Optional<Job> job = q.poll(Duration.ofMillis(20));
                if (job.isPresent()) {
                    System.out.println("TOOK " + job.get().itemId());
                    q.ack(job.get(), job.get().runId());
                    q.complete(job.get(), RunStatus.of(RunState.SUCCEEDED));
                } else if (queues.pending(queue).isEmpty()) {
                    break;
                }
            }
        }
        System.out.println("DONE");
    }
}
