package dev.launchkit.core.queue;

import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.QueueException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates, changes, lists and deletes the queues of one backend, and pushes items onto them: the W&B queue admin
 * and submit operations ({@code upsertRunQueue}, {@code deleteRunQueues}, {@code pushToRunQueueByName}, ...) as a
 * Java interface. The embedded backends implement it ({@code MemoryQueues}, {@code DirectoryQueues}); a W&B backend
 * can implement it over GraphQL.
 *
 * <pre>{@code
 * QueueAdmin admin = new DirectoryQueues(Path.of("/srv/launch-queues"));
 * admin.create(QueueDefinition.of("k8s-test", "kubernetes", jobFragment));
 * String id = admin.push("k8s-test", spec, Priority.HIGH, Map.of("gpus", 2));
 * admin.status("k8s-test", id);   // PENDING, then RUNNING, DONE or FAILED
 * }</pre>
 *
 * <p>Threading: implementations are thread-safe. Pushing merges the queue's configuration into the spec as the W&B
 * server does ({@link QueueDefinition#merge}), so template variable errors reach the pusher, not the agent.
 * Exceptions: {@link InvalidItemException} (and its {@link TemplateVariableException}) for a bad push,
 * {@link IllegalArgumentException} for a bad definition or an unknown queue, {@link IllegalStateException} for an
 * operation the queue's state forbids, {@link QueueException} for a failure of the backend itself (I/O, network).
 */
public interface QueueAdmin {

    /**
     * Creates a queue.
     *
     * @throws IllegalStateException when a queue of that name exists (use {@link #upsert})
     */
    QueueDefinition create(QueueDefinition definition);

    /**
     * Replaces the definition of an existing queue. Items already pushed keep the configuration merged at push.
     *
     * @throws IllegalArgumentException when there is no such queue
     */
    QueueDefinition update(QueueDefinition definition);

    /** Creates the queue, or replaces its definition when it exists (W&B {@code upsertRunQueue}). */
    QueueDefinition upsert(QueueDefinition definition);

    /** The queue's definition; empty when there is no such queue. */
    Optional<QueueDefinition> get(String name);

    /** All queues, by name. */
    List<QueueDefinition> list();

    /**
     * Deletes a queue and its waiting and ended items.
     *
     * @return false when there was no such queue
     * @throws IllegalStateException when items of the queue are running (the agent would have nowhere to report)
     */
    boolean delete(String name);

    /**
     * Pushes an item.
     *
     * @param queue          the queue name
     * @param spec           the launch spec (W&B {@code runSpec})
     * @param priority       the priority; queues with prioritization disabled accept only {@link Priority#MEDIUM}
     * @param templateValues values for the queue's template variables (String, Number, Boolean or JsonNode)
     * @return the new item's id
     * @throws InvalidItemException naming the field or variable at fault
     * @throws IllegalArgumentException when there is no such queue
     */
    String push(String queue, LaunchSpec spec, Priority priority, Map<String, Object> templateValues);

    /** {@link #push(String, LaunchSpec, Priority, Map)} at medium priority without template values. */
    default String push(String queue, LaunchSpec spec) {
        return push(queue, spec, Priority.MEDIUM, Map.of());
    }

    /** The items waiting on a queue, in the order they will pop. */
    List<QueueItem> pending(String queue);

    /** What happened to an item (W&B {@code GetRunQueueItem}); empty when the queue does not know it. */
    Optional<ItemResult> status(String queue, String itemId);
}
