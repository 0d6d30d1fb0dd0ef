package dev.launchkit.core.queue;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;

/**
 * Implemented by a {@link dev.launchkit.core.QueueProvider} whose backend can be administered, so tools (the CLI,
 * an embedding platform) can manage queues from the same {@code queue_backend} block the agent polls with.
 *
 * <pre>{@code
 * if (provider instanceof QueueAdminSupport s) {
 *     s.admin(config.queueBackend(), context).create(definition);
 * }
 * }</pre>
 */
public interface QueueAdminSupport {

    /**
     * The admin of the backend the block configures.
     *
     * @throws dev.launchkit.core.ConfigException naming the key when the block is wrong
     */
    QueueAdmin admin(ConfigNode config, LaunchContext context);
}
