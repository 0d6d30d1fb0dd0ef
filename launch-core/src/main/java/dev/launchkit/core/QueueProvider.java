package dev.launchkit.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates {@link Queue}s of one type ({@code wandb}, {@code directory}, {@code memory}, or a plugin's).
 *
 * <p>The agent creates one queue per name in {@code queues:}. Called once per queue at agent start.
 */
public interface QueueProvider extends Provider {

    /**
     * Creates (or connects to) the queue.
     *
     * @param name    the queue name from {@code queues:}
     * @param entity  the configured entity (may be empty for queues without one)
     * @param config  the {@code queue_backend} block of the agent config
     * @param context the agent's context
     * @throws ConfigException when the config is wrong (naming the key) or the queue does not exist
     */
    Queue create(String name, String entity, ConfigNode config, LaunchContext context);

    /**
     * Creates all queues of one agent together. The agent assembly calls this instead of {@link #create} one name at
     * a time, so backends that register the agent once for all its queues (W&B {@code createLaunchAgent} takes every
     * queue id) can do so at start. The default calls {@link #create} for each name, in order.
     *
     * @param names       the queue names from {@code queues:}, in order
     * @param entity      the configured entity (may be empty)
     * @param config      the {@code queue_backend} block of the agent config
     * @param agentConfig the resolved agent config as it may be shown to the queue's owner (W&B sends it at
     *                    registration), with the values of secret keys already masked
     * @param context     the agent's context
     * @throws ConfigException when the config is wrong (naming the key) or a queue does not exist
     */
    default List<Queue> createAll(List<String> names, String entity, ConfigNode config, ObjectNode agentConfig,
                                  LaunchContext context) {
        List<Queue> out = new ArrayList<>();
        for (String name : names) {
            out.add(create(name, entity, config, context));
        }
        return List.copyOf(out);
    }
}
