package dev.launchkit.core.queue.memory;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.queue.QueueAdmin;
import dev.launchkit.core.queue.QueueAdminSupport;
import dev.launchkit.core.queue.QueueDefinition;
import java.util.Optional;

/**
 * The {@code memory} queue backend ({@code queue_backend: {type: memory}}).
 *
 * <p>Found by {@link java.util.ServiceLoader} (no-argument constructor), it creates a fresh, empty queue for each
 * name, owned by the agent that asked, so two agents never share one. An embedder that wants to push into the
 * agent's queues constructs it over its own {@link MemoryQueues} instead; names then resolve within that set.
 * The block has no keys of its own.
 */
public final class MemoryQueueProvider implements QueueProvider, QueueAdminSupport {
    private final MemoryQueues shared;

    /** For {@link java.util.ServiceLoader}: every queue created is new and private to its agent. */
    public MemoryQueueProvider() {
        this.shared = null;
    }

    /** Queues resolve by name within {@code queues}, so the embedder can push into them. */
    public MemoryQueueProvider(MemoryQueues queues) {
        this.shared = java.util.Objects.requireNonNull(queues, "queues");
    }

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public Queue create(String name, String entity, ConfigNode config, LaunchContext context) {
        if (shared != null) {
            return shared.queue(name);
        }
        return new MemoryQueue(QueueDefinition.bare(name).withEntity(entity), context.clock());
    }

    /** The shared set given to the constructor, or a new empty set. */
    @Override
    public QueueAdmin admin(ConfigNode config, LaunchContext context) {
        return sharedQueues().orElseGet(() -> new MemoryQueues(context.clock()));
    }

    /** The set this provider resolves names in, when it was given one. */
    public Optional<MemoryQueues> sharedQueues() {
        return Optional.ofNullable(shared);
    }
}
