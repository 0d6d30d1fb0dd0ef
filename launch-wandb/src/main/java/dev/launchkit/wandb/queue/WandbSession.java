package dev.launchkit.wandb.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.AgentState;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.QueueException;
import dev.launchkit.wandb.admin.WandbQueueAdmin;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbAuthException;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import dev.launchkit.wandb.job.JobResolver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's connection to W&B: the API key check, the queues it polls, its single agent registration and the
 * polling rhythm all its queues share.
 *
 * <p>W&B registers an agent once for all its queues ({@code createLaunchAgent} takes every queue id), and the
 * Python agent works in ticks: {@code LaunchAgent} (is {@code stopPolling} set?), then {@code popFromRunQueue} on
 * each queue until one yields, {@code updateLaunchAgent} every second tick, and a 10 s pause when no queue had an
 * item (none after one had). A session keeps that rhythm for the {@link WandbQueue}s it hands out, however the
 * caller polls them, so the server sees the same call sequence as from {@code wandb launch-agent}
 * (reference: wandb-launch-agent.md §1.3, §3.2):
 *
 * <pre>{@code
 * WandbSession session = WandbSession.connect(settings, "my-team", context);   // Viewer
 * List<WandbQueue> queues = session.queues(List.of("k8s-test"));               // ProjectRunQueues
 * session.register();   // createLaunchAgent, EntityIsTeam, LaunchAgent (else done on first poll)
 * LaunchAgent agent = LaunchAgent.builder().queues(queues)...build();
 * }</pre>
 *
 * <p>Thread-safe. No static state: two sessions (two agents) in one JVM are independent. Closing the last of its
 * queues reports the agent {@code KILLED} and closes the session.
 */
public final class WandbSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WandbSession.class);

    private final WandbClient client;
    private final boolean ownsClient;
    private final WandbSettings settings;
    private final LaunchContext context;
    private final String entity;
    private final String username;
    private final JobResolver resolver;
    private final List<Runnable> closeHooks = new ArrayList<>();

    // Guarded by this.
    private final Map<String, String> queueIds = new LinkedHashMap<>();
    private final Map<String, WandbQueue> open = new LinkedHashMap<>();
    private List<QueueRef> knownQueues;
    private ObjectNode agentConfig;
    private AgentRegistration registration;
    private boolean closed;
    private long tick;
    private boolean tickOpen;
    private final Set<String> due = new LinkedHashSet<>();
    private Instant nextTickAt = Instant.EPOCH;
    private boolean stopPolling;
    private boolean statusDue;
    private AgentState current = AgentState.POLLING;
    private AgentState reported;
    private final Map<String, Backoff> backoffs = new HashMap<>();

    private WandbSession(WandbClient client, boolean ownsClient, WandbSettings settings, LaunchContext context,
                         String entity, String username) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.settings = settings;
        this.context = context;
        this.entity = entity;
        this.username = username;
        this.resolver = new JobResolver(client, context.masker());
    }

    /**
     * Connects with a new client and checks the API key ({@code Viewer}).
     *
     * @param entity the entity that owns the queues; empty for the key's default entity (as W&B does)
     * @throws ConfigException when the key is refused or no entity is known
     * @throws QueueException when W&B cannot be reached
     */
    public static WandbSession connect(WandbSettings settings, String entity, LaunchContext context) {
        WandbClient client;
        try {
            client = WandbClient.create(settings.client(), context.masker());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("REQUESTS_CA_BUNDLE / SSL_CERT_FILE: " + e.getMessage(), e);
        }
        return connect(client, true, settings, entity, context);
    }

    /** Like {@link #connect(WandbSettings, String, LaunchContext)} over an existing client (not closed with it). */
    public static WandbSession connect(WandbClient client, WandbSettings settings, String entity,
                                       LaunchContext context) {
        return connect(client, false, settings, entity, context);
    }

    private static WandbSession connect(WandbClient client, boolean owns, WandbSettings settings, String entity,
                                        LaunchContext context) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(context, "context");
        context.masker().register(settings.client().apiKey());
        JsonNode viewer;
        try {
            viewer = client.execute(Operations.VIEWER, client.variables()).path("viewer");
        } catch (WandbAuthException e) {
            throw new ConfigException(e.getMessage(), e);
        } catch (WandbException e) {
            throw new QueueException("cannot check the W&B API key: " + e.getMessage(), e);
        }
        if (viewer.isNull() || viewer.isMissingNode()) {
            throw new ConfigException("Could not connect with the current API key: W&B at " + client.baseUrl()
                    + " answered with no user. Check that WANDB_API_KEY holds a valid key for this server");
        }
        String resolved = entity == null || entity.isBlank() ? viewer.path("entity").asText("") : entity;
        if (resolved.isBlank()) {
            throw new ConfigException("entity: no entity is configured and the API key's user has no default entity; "
                    + "set 'entity:' in launch-config.yaml or WANDB_ENTITY");
        }
        LOG.info("connected to W&B at {} as {} (entity {})", client.baseUrl(), viewer.path("username").asText("?"),
                resolved);
        return new WandbSession(client, owns, settings, context, resolved, viewer.path("username").asText(""));
    }

    /** The entity the agent serves. */
    public String entity() {
        return entity;
    }

    /** The project of the queues ({@code model-registry}). */
    public String project() {
        return settings.project();
    }

    /** The user of the API key. */
    public String username() {
        return username;
    }

    public WandbClient client() {
        return client;
    }

    public WandbSettings settings() {
        return settings;
    }

    LaunchContext context() {
        return context;
    }

    JobResolver resolver() {
        return resolver;
    }

    /** Queue admin over this session's client and entity. */
    public WandbQueueAdmin admin() {
        return new WandbQueueAdmin(client, entity, settings.project());
    }

    /**
     * The agent config sent at registration ({@code agentConfig}), normally the resolved launch-config with secrets
     * masked. Without one, a minimal config (entity, queues) is sent. Values the masker knows are masked again.
     */
    public synchronized WandbSession agentConfig(ObjectNode config) {
        this.agentConfig = config == null ? null : config.deepCopy();
        return this;
    }

    /**
     * A queue of this session. The first call lists the project's queues ({@code ProjectRunQueues}); when the
     * entity has no queue at all and {@code name} is {@code default}, the {@code default} queue is created, as the
     * Python agent does.
     *
     * @throws ConfigException when the queue does not exist (naming the queues that do)
     * @throws IllegalStateException when the agent is already registered (register after adding all queues)
     */
    public synchronized WandbQueue queue(String name) {
        if (closed) {
            throw new IllegalStateException("the W&B session was closed");
        }
        WandbQueue existing = open.get(name);
        if (existing != null) {
            return existing;
        }
        if (registration != null) {
            throw new IllegalStateException("the agent is already registered with W&B for queues "
                    + registration.queueNames() + "; add queue '" + name + "' before the first poll");
        }
        String id = resolveQueue(name);
        queueIds.put(name, id);
        WandbQueue q = new WandbQueue(this, name, id);
        open.put(name, q);
        return q;
    }

    /** The queues for {@code names}, in order (see {@link #queue(String)}). */
    public synchronized List<WandbQueue> queues(List<String> names) {
        List<WandbQueue> out = new ArrayList<>();
        for (String n : names) {
            out.add(queue(n));
        }
        return List.copyOf(out);
    }

    private String resolveQueue(String name) {
        boolean fresh = knownQueues == null;
        if (fresh) {
            knownQueues = listQueues();
        }
        Optional<QueueRef> found = find(name);
        if (found.isEmpty() && !fresh) {
            // The list may be older than the queue (created since the first lookup): look once more.
            knownQueues = listQueues();
            found = find(name);
        }
        if (found.isPresent()) {
            return found.get().id();
        }
        if (name.equals("default") && knownQueues.isEmpty()) {
            return createDefaultQueue();
        }
        List<String> names = knownQueues.stream().map(QueueRef::name).toList();
        throw new ConfigException("queues: queue '" + name + "' was not found in entity " + entity + " (project "
                + settings.project() + " at " + client.baseUrl() + "). "
                + (names.isEmpty() ? "The entity has no queues. " : "Available queues: " + String.join(", ", names)
                + ". ") + "Create it in the W&B UI (Launch > Create queue) or with WandbQueueAdmin, or fix 'queues:' "
                + "in launch-config.yaml");
    }

    private Optional<QueueRef> find(String name) {
        return knownQueues.stream().filter(q -> q.name().equals(name)).findFirst();
    }

    private List<QueueRef> listQueues() {
        ObjectNode vars = client.variables();
        vars.put("entity", entity);
        vars.put("projectName", settings.project());
        JsonNode project = call(Operations.PROJECT_RUN_QUEUES, vars).path("project");
        if (project.isNull() || project.isMissingNode()) {
            throw new ConfigException("Error fetching run queues for " + entity + ": check that the API key's user ("
                    + username + ") has access to entity " + entity + " and project " + settings.project());
        }
        List<QueueRef> out = new ArrayList<>();
        for (JsonNode q : project.path("runQueues")) {
            out.add(new QueueRef(q.path("id").asText(), q.path("name").asText()));
        }
        return out;
    }

    private String createDefaultQueue() {
        ObjectNode vars = client.variables();
        vars.put("entity", entity);
        vars.put("project", settings.project());
        vars.put("queueName", "default");
        vars.put("access", "PROJECT");
        JsonNode r = call(Operations.CREATE_RUN_QUEUE, vars).path("createRunQueue");
        String id = r.path("queueID").asText("");
        if (!r.path("success").asBoolean(false) || id.isEmpty()) {
            throw new ConfigException("Unable to create the default queue for " + entity + "/" + settings.project()
                    + ": W&B answered " + context.masker().mask(r.toString()));
        }
        LOG.info("entity {} had no queues; created the 'default' queue", entity);
        knownQueues = new ArrayList<>(List.of(new QueueRef(id, "default")));
        return id;
    }

    /** Runs a startup call, turning failures into what {@code QueueProvider.create} may throw. */
    private ObjectNode call(String document, ObjectNode vars) {
        try {
            return client.execute(document, vars);
        } catch (WandbAuthException e) {
            throw new ConfigException(e.getMessage(), e);
        } catch (WandbException e) {
            throw new QueueException(e.getMessage(), e);
        }
    }

    /**
     * Registers the agent for every queue handed out so far: {@code createLaunchAgent} (hostname, queue ids, agent
     * config, version), {@code EntityIsTeam} (a warning for team entities) and {@code LaunchAgent} (the name).
     * Idempotent; the first poll does it when nobody called it.
     *
     * @throws ConfigException when the key is refused
     * @throws QueueException when W&B cannot be reached or refuses the registration
     */
    public synchronized AgentRegistration register() {
        if (registration != null) {
            return registration;
        }
        if (queueIds.isEmpty()) {
            throw new IllegalStateException("register after adding the queues to poll (session.queue(name))");
        }
        List<String> names = List.copyOf(queueIds.keySet());
        List<String> ids = List.copyOf(queueIds.values());
        ObjectNode vars = client.variables();
        vars.put("entity", entity);
        vars.put("project", settings.project());
        vars.set("queues", vars.arrayNode().addAll(ids.stream().map(vars::textNode).toList()));
        vars.put("hostname", settings.hostname());
        vars.put("agentConfig", context.masker().mask(agentConfigJson(names).toString()));
        vars.put("version", settings.agentVersion());
        String agentId = call(Operations.CREATE_LAUNCH_AGENT, vars).path("createLaunchAgent").path("launchAgentId")
                .asText("");
        if (agentId.isEmpty()) {
            throw new QueueException("W&B did not register the launch agent (createLaunchAgent returned no "
                    + "launchAgentId) for queues " + names);
        }
        boolean team = false;
        try {
            ObjectNode t = client.variables();
            t.put("entity", entity);
            team = client.execute(Operations.ENTITY_IS_TEAM, t).path("entity").path("isTeam").asBoolean(false);
        } catch (WandbException e) {
            LOG.warn("could not check whether entity {} is a team: {}", entity, e.getMessage());
        }
        if (team) {
            LOG.warn("Agent is running on team entity ({}). Members of this team will be able to run code on this "
                    + "device.", entity);
        }
        String name = agentId;
        try {
            JsonNode agent = launchAgent(agentId);
            name = agent.path("name").asText(agentId);
        } catch (WandbException e) {
            LOG.warn("could not read the agent's name from W&B: {}", e.getMessage());
        }
        registration = new AgentRegistration(agentId, name, entity, settings.project(), names, ids, team);
        LOG.info("registered launch agent {} ({}) for queues {} of {}", name, agentId, names, entity);
        return registration;
    }

    private ObjectNode agentConfigJson(List<String> names) {
        if (agentConfig != null) {
            return agentConfig;
        }
        ObjectNode c = client.variables();
        c.put("entity", entity);
        c.set("queues", c.arrayNode().addAll(names.stream().map(c::textNode).toList()));
        return c;
    }

    /** The registration, when done. */
    public synchronized Optional<AgentRegistration> registration() {
        return Optional.ofNullable(registration);
    }

    private JsonNode launchAgent(String agentId) {
        ObjectNode vars = client.variables();
        vars.put("agentId", agentId);
        return client.execute(Operations.LAUNCH_AGENT, vars).path("launchAgent");
    }

    private AgentRegistration ensureRegistered() {
        try {
            return register();
        } catch (ConfigException e) {
            throw new QueueException(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ ticks

    /**
     * Whether a user asked the agent to stop polling ({@code launchAgent.stopPolling}). Asked at most once per tick;
     * between ticks the last answer is returned.
     */
    public synchronized boolean stopPollingRequested() {
        try {
            ensureRegistered();
            beginTickIfDue();
        } catch (RuntimeException e) {
            LOG.warn("could not ask W&B whether to stop polling: {}", context.masker().mask(String.valueOf(e.getMessage())));
        }
        return stopPolling;
    }

    /**
     * Reports what the agent does: {@code updateLaunchAgent} with {@code POLLING}, {@code RUNNING} or, for
     * {@link AgentState#STOPPED}, {@code KILLED}. Sent on changes (and every second tick by the tick rhythm).
     */
    public synchronized void reportState(AgentState state) {
        current = Objects.requireNonNull(state, "state");
        if (registration == null) {
            return;
        }
        if (state != reported) {
            sendStatus(state);
        }
        flushStatus();
    }

    private void sendStatus(AgentState state) {
        if (reported == AgentState.STOPPED) {
            return;
        }
        String wire = state == AgentState.STOPPED ? "KILLED" : state.name();
        ObjectNode vars = client.variables();
        vars.put("agentId", registration.agentId());
        vars.put("agentStatus", wire);
        try {
            boolean ok = client.execute(Operations.UPDATE_LAUNCH_AGENT, vars).path("updateLaunchAgent")
                    .path("success").asBoolean(false);
            if (!ok) {
                LOG.error("W&B did not accept agent status {} for agent {}", wire, registration.name());
            }
            reported = state;
        } catch (WandbException e) {
            LOG.error("could not send agent status {} to W&B: {}", wire, e.getMessage());
        }
    }

    private void flushStatus() {
        if (statusDue && registration != null) {
            statusDue = false;
            sendStatus(current);
        }
    }

    private void beginTickIfDue() {
        Instant now = context.clock().instant();
        if (now.isBefore(nextTickAt) || closed) {
            return;
        }
        if (tickOpen) {
            // The previous tick popped nothing (the agent was at max_jobs): it ends here, as W&B's would have.
            closeTick();
        }
        flushStatus();
        tick++;
        tickOpen = true;
        due.clear();
        due.addAll(open.keySet());
        nextTickAt = now.plus(settings.pollInterval());
        try {
            stopPolling = launchAgent(registration.agentId()).path("stopPolling").asBoolean(false);
            if (stopPolling) {
                LOG.info("a user asked launch agent {} to stop polling", registration.name());
            }
        } catch (WandbException e) {
            LOG.warn("could not read agent {} from W&B: {}", registration.name(), e.getMessage());
        }
    }

    private void closeTick() {
        tickOpen = false;
        due.clear();
        if (tick % 2 == 0) {
            statusDue = true;
        }
    }

    /**
     * Whether {@code queue} should pop now. Starts a tick when one is due; otherwise waits up to {@code wait} (or
     * until the next tick) and says no.
     */
    boolean turn(WandbQueue queue, Duration wait) throws InterruptedException {
        synchronized (this) {
            if (closed) {
                return false;
            }
            ensureRegistered();
            beginTickIfDue();
            if (!stopPolling && due.contains(queue.name())) {
                Backoff b = backoffs.get(queue.name());
                if (b == null || !context.clock().instant().isBefore(b.until)) {
                    due.remove(queue.name());
                    return true;
                }
            }
            long ms = Math.min(wait.toMillis(),
                    Math.max(0, Duration.between(context.clock().instant(), nextTickAt).toMillis()));
            if (ms > 0) {
                wait(ms);
            }
            return false;
        }
    }

    /** After a pop: a yield starts the next tick at once (W&B sleeps 0 s); an idle tick ends when all queues popped. */
    synchronized void popped(WandbQueue queue, boolean yielded) {
        backoffs.remove(queue.name());
        if (yielded) {
            closeTick();
            nextTickAt = context.clock().instant();
            return;
        }
        finishIfIdle();
    }

    /** After a failed pop: the queue backs off 1 s, 2 s, 4 s ... up to {@code max_error_backoff}. */
    synchronized Duration popFailed(WandbQueue queue) {
        Backoff previous = backoffs.get(queue.name());
        Duration next = previous == null ? settings.errorBackoff() : previous.last.multipliedBy(2);
        if (next.compareTo(settings.maxErrorBackoff()) > 0) {
            next = settings.maxErrorBackoff();
        }
        backoffs.put(queue.name(), new Backoff(next, context.clock().instant().plus(next)));
        finishIfIdle();
        return next;
    }

    private void finishIfIdle() {
        if (tickOpen && due.isEmpty()) {
            closeTick();
            flushStatus();
            nextTickAt = context.clock().instant().plus(settings.pollInterval());
        }
    }

    /** Closes {@code queue}; the last one closes the session. */
    synchronized void release(WandbQueue queue) {
        open.remove(queue.name());
        due.remove(queue.name());
        if (open.isEmpty()) {
            close();
        }
    }

    /** Runs {@code hook} when the session closes (the provider forgets it). */
    synchronized void onClose(Runnable hook) {
        closeHooks.add(hook);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Reports the agent {@code KILLED} (when registered and not yet reported) and releases the client. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (registration != null && reported != AgentState.STOPPED) {
            statusDue = false;
            sendStatus(AgentState.STOPPED);
        }
        closed = true;
        notifyAll();
        closeHooks.forEach(Runnable::run);
        if (ownsClient) {
            client.close();
        }
    }

    private record QueueRef(String id, String name) {
    }

    private record Backoff(Duration last, Instant until) {
    }
}
