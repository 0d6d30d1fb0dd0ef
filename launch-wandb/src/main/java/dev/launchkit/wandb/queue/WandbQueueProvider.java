package dev.launchkit.wandb.queue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.MapMaker;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.queue.QueueAdmin;
import dev.launchkit.core.queue.QueueAdminSupport;
import dev.launchkit.wandb.admin.WandbQueueAdmin;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbAuthException;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
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
 *
 * <p>As {@link QueueAdminSupport} it hands out a {@link WandbQueueAdmin} for the same block, for the entity in
 * {@code WANDB_ENTITY} or else the API key's default entity.
 */
public final class WandbQueueProvider implements QueueProvider, QueueAdminSupport {
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

    /**
     * The queue admin of the entity in {@code WANDB_ENTITY}, else of the API key's default entity.
     *
     * @throws ConfigException when the key is refused or no entity is known
     */
    @Override
    public QueueAdmin admin(ConfigNode config, LaunchContext context) {
        WandbSettings settings = WandbSettings.from(config, context);
        WandbClient client;
        try {
            client = WandbClient.create(settings.client(), context.masker());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("REQUESTS_CA_BUNDLE / SSL_CERT_FILE: " + e.getMessage(), e);
        }
        String entity = context.env("WANDB_ENTITY").orElse("");
        if (entity.isBlank()) {
            try {
                entity = client.execute(Operations.VIEWER, client.variables()).path("viewer").path("entity")
                        .asText("");
            } catch (WandbAuthException e) {
                throw new ConfigException(e.getMessage(), e);
            } catch (WandbException e) {
                throw new QueueException(e.getMessage(), e);
            }
        }
        if (entity.isBlank()) {
            throw new ConfigException("WANDB_ENTITY: no entity for the W&B queue admin; set WANDB_ENTITY to the entity "
                    + "whose queues to manage");
        }
        return new WandbQueueAdmin(client, entity, settings.project());
    }
}
