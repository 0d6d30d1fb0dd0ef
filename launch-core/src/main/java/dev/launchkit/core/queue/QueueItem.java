package dev.launchkit.core.queue;

import dev.launchkit.core.LaunchSpec;
import java.time.Instant;
import java.util.Objects;

/**
 * An item waiting on a queue.
 *
 * @param id         the item id (what {@link QueueAdmin#push} returned; a file name for directory queues)
 * @param queue      the queue name
 * @param spec       the launch spec, with the queue's configuration already merged in
 * @param priority   the item's priority
 * @param enqueuedAt when it was pushed (file modification time for directory queues)
 */
public record QueueItem(String id, String queue, LaunchSpec spec, Priority priority, Instant enqueuedAt) {
    public QueueItem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    }
}
