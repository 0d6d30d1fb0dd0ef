package dev.launchkit.core.queue.directory;

import dev.launchkit.core.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * An agent that takes {@code <count>} items from a queue, prints {@code TOOK <item>} for each and then hangs without
 * reporting, until it is killed: a crash between taking an item and starting its run.
 */
public final class HoldWorker {
    private HoldWorker() {
    }

    public static void main(String[] args) throws Exception {
        DirectoryQueues queues = new DirectoryQueues(Path.of(args[0]));
        int count = Integer.parseInt(args[2]);
        DirectoryQueue q = queues.open(args[1]);
        for (int taken = 0; taken < count; ) {
            Optional<Job> job = q.poll(Duration.ofMillis(200));
            if (job.isPresent()) {
                q.ack(job.get(), job.get().runId());
                System.out.println("TOOK " + job.get().itemId());
                taken++;
            }
        }
        System.out.println("HOLDING");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
}
