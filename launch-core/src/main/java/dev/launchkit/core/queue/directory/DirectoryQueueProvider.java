package dev.launchkit.core.queue.directory;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.queue.QueueAdminSupport;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code directory} queue backend: every queue is a folder under {@code path}.
 *
 * <pre>
 * queue_backend:
 *   type: directory
 *   path: /srv/launch-queues     # required; created when missing
 *   poll_interval_ms: 50         # how often to list the folder when no change is reported (default 50)
 * queues: [local]                # polls /srv/launch-queues/local/pending/
 * </pre>
 */
public final class DirectoryQueueProvider implements QueueProvider, QueueAdminSupport {

    @Override
    public String type() {
        return "directory";
    }

    /**
     * Opens {@code <path>/<name>}, creating its folders when missing.
     *
     * @throws ConfigException naming the key when {@code path} is missing or wrong, or the queue's {@code queue.yaml}
     *                         when that is wrong
     */
    @Override
    public Queue create(String name, String entity, ConfigNode config, LaunchContext context) {
        DirectoryQueues queues = admin(config, context);
        int interval = config.integer("poll_interval_ms", (int) DirectoryQueues.DEFAULT_POLL_INTERVAL.toMillis());
        if (interval < 1) {
            throw config.child("poll_interval_ms").error("must be at least 1 (milliseconds), got " + interval);
        }
        try {
            return queues.open(name, entity, Duration.ofMillis(interval), context.masker());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("queues: " + e.getMessage(), e);
        }
    }

    /** The queues under the block's {@code path}. */
    @Override
    public DirectoryQueues admin(ConfigNode config, LaunchContext context) {
        String path = config.optString("path").filter(p -> !p.isBlank()).orElseThrow(() -> config.child("path")
                .error("is required for the directory queue backend: the folder that holds one folder per queue"));
        try {
            return new DirectoryQueues(Path.of(path), context.clock());
        } catch (InvalidPathException e) {
            throw config.child("path").error("'" + path + "' is not a valid path: " + e.getReason());
        }
    }
}
