package dev.launchkit.core;

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
}
