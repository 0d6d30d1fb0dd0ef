package dev.launchkit.core.queue.memory;

import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueAdmin;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A set of {@link MemoryQueue}s by name, administered in code. An embedder creates one, defines and fills queues,
 * and hands the queues (or a {@link MemoryQueueProvider} over this set) to an agent. Nothing is shared between two
 * instances.
 *
 * <pre>{@code
 * MemoryQueues queues = new MemoryQueues();
 * queues.create(QueueDefinition.of("k8s", "kubernetes", fragment));
 * queues.push("k8s", spec, Priority.HIGH, Map.of());
 * LaunchAgent agent = LaunchAgent.builder().queue(queues.queue("k8s"))...build();
 * }</pre>
 */
public final class MemoryQueues implements QueueAdmin {
    private final Clock clock;
    private final ConcurrentHashMap<String, MemoryQueue> queues = new ConcurrentHashMap<>();

    /** Queues with the system clock. */
    public MemoryQueues() {
        this(Clock.systemUTC());
    }

    /** Queues whose timestamps come from {@code clock}. */
    public MemoryQueues(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The queue of that name, created bare (items carry their own resource) if it does not exist. */
    public MemoryQueue queue(String name) {
        return queues.computeIfAbsent(name, n -> new MemoryQueue(QueueDefinition.bare(n), clock));
    }

    /** The queue of that name, if it exists. */
    public Optional<MemoryQueue> find(String name) {
        return Optional.ofNullable(queues.get(name));
    }

    @Override
    public QueueDefinition create(QueueDefinition definition) {
        MemoryQueue fresh = new MemoryQueue(definition, clock);
        if (queues.putIfAbsent(definition.name(), fresh) != null) {
            throw new IllegalStateException("queue '" + definition.name() + "' already exists; use upsert to "
                    + "replace its definition");
        }
        return definition;
    }

    @Override
    public QueueDefinition update(QueueDefinition definition) {
        require(definition.name()).redefine(definition);
        return definition;
    }

    @Override
    public QueueDefinition upsert(QueueDefinition definition) {
        queues.compute(definition.name(), (n, existing) -> {
            if (existing == null) {
                return new MemoryQueue(definition, clock);
            }
            existing.redefine(definition);
            return existing;
        });
        return definition;
    }

    @Override
    public Optional<QueueDefinition> get(String name) {
        return find(name).map(MemoryQueue::definition);
    }

    @Override
    public List<QueueDefinition> list() {
        return queues.values().stream().map(MemoryQueue::definition)
                .sorted(Comparator.comparing(QueueDefinition::name)).toList();
    }

    @Override
    public boolean delete(String name) {
        MemoryQueue q = queues.get(name);
        if (q == null) {
            return false;
        }
        int running = q.running();
        if (running > 0) {
            throw new IllegalStateException("queue '" + name + "' has " + running + " running item(s); delete it "
                    + "once they have ended");
        }
        q.retire();
        return queues.remove(name, q);
    }

    @Override
    public String push(String queue, LaunchSpec spec, Priority priority, Map<String, Object> templateValues) {
        return require(queue).push(spec, priority, templateValues);
    }

    @Override
    public List<QueueItem> pending(String queue) {
        return require(queue).pending();
    }

    @Override
    public Optional<ItemResult> status(String queue, String itemId) {
        return find(queue).flatMap(q -> q.result(itemId));
    }

    private MemoryQueue require(String name) {
        MemoryQueue q = queues.get(name);
        if (q == null) {
            throw new IllegalArgumentException("there is no queue named '" + name + "'; create it first"
                    + (queues.isEmpty() ? "" : " (queues: " + String.join(", ", queues.keySet().stream().sorted()
                    .toList()) + ")"));
        }
        return q;
    }
}
