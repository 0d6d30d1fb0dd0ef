package dev.launchkit.wandb.queue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.MapMaker;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueProvider;
import java.util.List;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@code wandb} queue backend ({@code queue_backend: {type: wandb}}, the default): W&B run queues of the
 * configured entity, in project {@code model-registry}. Settings: {@link WandbSettings}.
 *
 * <p>The agent assembly calls {@link #createAll}, which checks the key, finds (or creates {@code default}) the
 * queues and registers the agent once for all of them, as {@code wandb launch-agent} does at start. Callers that
 * create queues one by one with {@link #create} get queues of one shared {@link WandbSession} per
 * {@link LaunchContext} (the agent registers at the first poll), so two agents in one JVM, which have different
 * contexts, never share a registration. Sessions are held weakly and forgotten when their last queue closes.
 */
public final class WandbQueueProvider implements QueueProvider {
    /** Identity-keyed and weak: a context that is no longer used does not keep its session alive. */
    private final ConcurrentMap<LaunchContext, WandbSession> sessions = new MapMaker().weakKeys().makeMap();

    @Override
    public String type() {
        return "wandb";
    }

    @Override
    public Queue create(String name, String entity, ConfigNode config, LaunchContext context) {
        while (true) {
            WandbSession session = sessions.computeIfAbsent(context, c -> open(entity, config, c));
            synchronized (session) {
                if (!session.isClosed() && session.registration().isEmpty()) {
                    return session.queue(name);
                }
            }
            // Registered (queues are fixed from then on) or closed: the next queue starts a new agent registration.
            sessions.remove(context, session);
        }
    }

    private WandbSession open(String entity, ConfigNode config, LaunchContext context) {
        WandbSession session = WandbSession.connect(WandbSettings.from(config, context), entity, context);
        session.onClose(() -> sessions.remove(context, session));
        return session;
    }

    @Override
    public List<Queue> createAll(List<String> names, String entity, ConfigNode config, ObjectNode agentConfig,
                                 LaunchContext context) {
        if (names.isEmpty()) {
            throw new ConfigException("queues: no queues configured; list the W&B queues to poll under 'queues:'");
        }
        WandbSession session = WandbSession.connect(WandbSettings.from(config, context), entity, context);
        try {
            session.agentConfig(agentConfig);
            List<WandbQueue> queues = session.queues(names);
            session.register();
            return List.copyOf(queues);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
