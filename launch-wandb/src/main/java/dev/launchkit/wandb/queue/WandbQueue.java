package dev.launchkit.wandb.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import dev.launchkit.wandb.job.JobRequest;
import dev.launchkit.wandb.job.ResolvedJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A W&B run queue: {@code popFromRunQueue}, {@code ackRunQueueItem}, {@code failRunQueueItem},
 * {@code updateRunQueueItemWarning}, {@code RunStoppedStatus}, {@code RunState}, {@code pushToRunQueueByName} for
 * requeues, and job artifact resolution. Created by a {@link WandbSession} (or the {@code wandb}
 * {@link WandbQueueProvider}); all queues of a session share one agent registration and one polling rhythm.
 *
 * <p>Items that are not jobs (a runSpec that is not JSON, no entity, no image and no job, an entity the agent does
 * not serve) are failed on the server at stage {@code agent} with a message saying why, and polling goes on. Pop
 * errors back off exponentially ({@link WandbSettings#errorBackoff()}); {@link QueueException} tells the agent.
 *
 * <p>Thread-safe. {@link #ack}, {@link #fail} and {@link #complete} report an item at most once.
 */
public final class WandbQueue implements Queue {
    private static final Logger LOG = LoggerFactory.getLogger(WandbQueue.class);
    /** Malformed items failed in one poll before it gives the agent its turn back. */
    private static final int MAX_SKIPPED_PER_POLL = 10;
    /** W&B keeps messages short in its UI; longer ones keep their end, where the log tail is. */
    private static final int MAX_MESSAGE = 20_000;
    private static final String RUN_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** Job attribute: the queue id. */
    public static final String ATTR_QUEUE_ID = "wandb.queue_id";
    /** Job attribute: the project the queue lives in. */
    public static final String ATTR_QUEUE_PROJECT = "wandb.queue_project";

    private final WandbSession session;
    private final String name;
    private final String id;
    private final WandbClient client;
    private final SecretMasker masker;
    private final SecureRandom random = new SecureRandom();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final Map<String, Path> workDirs = new ConcurrentHashMap<>();

    WandbQueue(WandbSession session, String name, String id) {
        this.session = session;
        this.name = name;
        this.id = id;
        this.client = session.client();
        this.masker = session.context().masker();
    }

    @Override
    public String name() {
        return name;
    }

    /** The W&B queue id. */
    public String id() {
        return id;
    }

    /** The session (agent registration) this queue belongs to. */
    public WandbSession session() {
        return session;
    }

    /** The agent's registration, once done (at the first poll, or {@link WandbSession#register()}). */
    public Optional<AgentRegistration> registration() {
        return session.registration();
    }

    @Override
    public Optional<Job> poll(Duration wait) throws InterruptedException {
        if (!session.turn(this, wait)) {
            return Optional.empty();
        }
        boolean yielded = false;
        try {
            for (int i = 0; i < MAX_SKIPPED_PER_POLL; i++) {
                JsonNode item = pop();
                if (item.isNull() || item.isMissingNode()) {
                    break;
                }
                Optional<Job> job = toJob(item);
                if (job.isPresent()) {
                    yielded = true;
                    return job;
                }
            }
            session.popped(this, false);
            return Optional.empty();
        } catch (WandbException e) {
            Duration backoff = session.popFailed(this);
            throw new QueueException("popping from W&B queue " + name + " failed (next attempt in "
                    + backoff.toMillis() + " ms): " + e.getMessage(), e);
        } finally {
            if (yielded) {
                session.popped(this, true);
            }
        }
    }

    private JsonNode pop() {
        ObjectNode vars = client.variables();
        vars.put("entity", session.entity());
        vars.put("project", session.project());
        vars.put("queueName", name);
        session.registration().ifPresentOrElse(r -> vars.put("launchAgentId", r.agentId()),
                () -> vars.putNull("launchAgentId"));
        return client.execute(Operations.POP_FROM_RUN_QUEUE, vars).path("popFromRunQueue");
    }

    /** The job for a popped item, or empty after failing an item that is not one. */
    private Optional<Job> toJob(JsonNode item) {
        String itemId = item.path("runQueueItemId").asText("");
        if (itemId.isEmpty()) {
            throw new QueueException("W&B popFromRunQueue on queue " + name + " returned an item without "
                    + "runQueueItemId: " + masker.mask(item.toString()));
        }
        LaunchSpec spec;
        try {
            spec = LaunchSpec.fromNode(item.path("runSpec"));
        } catch (IllegalArgumentException e) {
            return reject(itemId, "the item's runSpec could not be read: " + e.getMessage()
                    + ". Push the job again with a valid launch spec (a JSON object)");
        }
        // A per-run key the server put in the spec is as secret as the agent's own.
        spec.wandbApiKey().ifPresent(masker::register);
        if (spec.entity().isEmpty()) {
            return reject(itemId, "the item's runSpec has no entity: set runSpec.entity to the entity the run "
                    + "belongs to (for this queue: " + session.entity() + ")");
        }
        if (spec.project().isEmpty()) {
            return reject(itemId, "the item's runSpec has no project: set runSpec.project to the W&B project the "
                    + "run logs to");
        }
        if (!spec.entity().get().equals(session.entity()) && !session.settings().allowOtherEntities()) {
            return reject(itemId, "the item targets entity '" + spec.entity().get() + "', but this agent serves "
                    + "entity '" + session.entity() + "' (queue " + name + "). Push it to a queue of '"
                    + spec.entity().get() + "', or set queue_backend.allow_other_entities: true to run it anyway");
        }
        String runId = spec.runId().orElseGet(this::newRunId);
        LaunchSpec withRun = spec.withRunId(runId);
        JobSource source;
        try {
            source = JobSource.fromSpec(withRun);
        } catch (LaunchException e) {
            return reject(itemId, e.getMessage());
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put(ATTR_QUEUE_ID, id);
        attrs.put(ATTR_QUEUE_PROJECT, session.project());
        LOG.info("popped item {} from W&B queue {} (run {})", itemId, name, runId);
        return Optional.of(new Job(itemId, name, session.entity(), withRun, source, runId, attrs));
    }

    private Optional<Job> reject(String itemId, String message) {
        String m = masker.mask(message);
        LOG.warn("failing malformed item {} of queue {}: {}", itemId, name, m);
        try {
            failItem(itemId, Stage.AGENT.wireName(), m);
            ended.add(itemId);
        } catch (WandbException e) {
            LOG.error("could not fail malformed item {} of queue {}: {}", itemId, name, e.getMessage());
        }
        return Optional.empty();
    }

    /** An 8-character run id of lower-case letters and digits, as W&B generates. */
    private String newRunId() {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            sb.append(RUN_ID_CHARS.charAt(random.nextInt(RUN_ID_CHARS.length())));
        }
        return sb.toString();
    }

    @Override
    public void ack(Job job, String runId) {
        if (!acked.add(job.itemId())) {
            return;
        }
        ObjectNode vars = client.variables();
        vars.put("itemId", job.itemId());
        vars.put("runId", runId);
        boolean ok;
        try {
            ok = client.execute(Operations.ACK_RUN_QUEUE_ITEM, vars).path("ackRunQueueItem").path("success")
                    .asBoolean(false);
        } catch (WandbException e) {
            acked.remove(job.itemId());
            throw new LaunchException(Stage.AGENT, "could not acknowledge item " + job.itemId() + " with W&B: "
                    + e.getMessage(), e);
        }
        if (!ok) {
            throw new LaunchException(Stage.AGENT, "W&B refused to acknowledge item " + job.itemId() + " of queue "
                    + name + ": it may have already been acknowledged by another agent");
        }
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        if (ended.contains(job.itemId())) {
            return;
        }
        try {
            failItem(job.itemId(), stage.wireName(), message);
        } catch (WandbException e) {
            throw new QueueException("could not report the failure of item " + job.itemId() + " to W&B: "
                    + e.getMessage(), e);
        }
        ended.add(job.itemId());
        cleanUp(job);
    }

    private void failItem(String itemId, String stage, String message) {
        String m = masker.mask(message == null ? "" : message);
        if (m.length() > MAX_MESSAGE) {
            m = "…" + m.substring(m.length() - MAX_MESSAGE);
        }
        ObjectNode vars = client.variables();
        vars.put("runQueueItemId", itemId);
        vars.put("message", m);
        vars.put("stage", stage);
        // The Python agent attaches files uploaded to its hidden run; LaunchKit keeps no such run and sends none.
        vars.putArray("filePaths");
        boolean ok = client.execute(Operations.FAIL_RUN_QUEUE_ITEM, vars).path("failRunQueueItem").path("success")
                .asBoolean(false);
        if (!ok) {
            LOG.warn("W&B did not accept the failure of item {} (it may no longer exist)", itemId);
        }
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        String m = masker.mask(message == null ? "" : message);
        String key = job.itemId() + "\n" + m;
        if (!warned.add(key)) {
            return;
        }
        ObjectNode vars = client.variables();
        vars.put("runQueueItemId", job.itemId());
        vars.put("message", m);
        vars.put("stage", warningStage(job, stage));
        vars.putArray("filePaths");
        try {
            client.execute(Operations.UPDATE_RUN_QUEUE_ITEM_WARNING, vars);
        } catch (WandbException e) {
            // Forget it, so the same warning is sent again when it recurs (as W&B does).
            warned.remove(key);
            throw new QueueException("could not send a warning for item " + job.itemId() + " to W&B: "
                    + e.getMessage(), e);
        }
    }

    /** W&B's warning stages: {@code build}, {@code Kubernetes} (for the kubernetes runner), else ours. */
    private static String warningStage(Job job, Stage stage) {
        return switch (stage) {
            case BUILD -> "build";
            case RUN -> job.resource("kubernetes").equals("kubernetes") ? "Kubernetes" : "run";
            case AGENT -> "agent";
        };
    }

    /**
     * Ends a run that did not fail. Successful runs are not reported to W&B (the item follows the W&B run), but a
     * run that finished or was stopped without ever calling {@code wandb.init} fails its item at stage {@code run},
     * as the Python agent does: {@code RunState} is asked with backoff (1 s, 2 s, 4 s ...) for up to
     * {@link WandbSettings#runInitTimeout()}.
     */
    @Override
    public void complete(Job job, RunStatus status) {
        if (ended.contains(job.itemId())) {
            return;
        }
        try {
            if ((status.state() == RunState.SUCCEEDED || status.state() == RunState.STOPPED) && !runInitialised(job)) {
                String message = status.state() == RunState.SUCCEEDED
                        ? "The submitted job exited successfully but failed to call wandb.init"
                        : "The submitted run was not successfully started";
                message += " (no W&B run " + job.spec().entity().orElse(session.entity()) + "/"
                        + job.spec().project().orElse("") + "/" + job.runId() + " appeared within "
                        + session.settings().runInitTimeout().toSeconds() + " s). The code must call wandb.init(); the "
                        + "run id is in WANDB_RUN_ID";
                if (!status.message().isEmpty()) {
                    message += ". Last status: " + status;
                }
                try {
                    failItem(job.itemId(), Stage.RUN.wireName(), message);
                } catch (WandbException e) {
                    throw new QueueException("could not report the failure of item " + job.itemId() + " to W&B: "
                            + e.getMessage(), e);
                }
            }
            ended.add(job.itemId());
        } finally {
            cleanUp(job);
        }
    }

    private boolean runInitialised(Job job) {
        Duration timeout = session.settings().runInitTimeout();
        String entity = job.spec().entity().orElse(session.entity());
        String project = job.spec().project().orElse("");
        if (timeout.isZero() || project.isEmpty() || !entity.equals(session.entity())) {
            // The Python agent skips the check for runs of other entities; recovered jobs have no project.
            return true;
        }
        Instant deadline = session.context().clock().instant().plus(timeout);
        Duration interval = Duration.ofSeconds(1).compareTo(timeout.dividedBy(8)) < 0 ? Duration.ofSeconds(1)
                : timeout.dividedBy(8);
        while (true) {
            if (runStarted(entity, project, job.runId())) {
                return true;
            }
            Instant now = session.context().clock().instant();
            if (now.plus(interval).isAfter(deadline)) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, interval.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // Shutting down: not knowing is no reason to fail the item.
                return true;
            }
            interval = interval.multipliedBy(2);
        }
    }

    private boolean runStarted(String entity, String project, String runId) {
        ObjectNode vars = client.variables();
        vars.put("project", project);
        vars.put("entity", entity);
        vars.put("name", runId);
        try {
            JsonNode run = client.execute(Operations.RUN_STATE, vars).path("project").path("run");
            return run.isObject() && !run.path("state").asText("pending").equals("pending");
        } catch (WandbException e) {
            LOG.debug("RunState for {} failed: {}", runId, e.getMessage());
            return false;
        }
    }

    /** Whether a user pressed stop on the job's W&B run ({@code RunStoppedStatus}); errors count as no. */
    @Override
    public boolean stopRequested(Job job) {
        ObjectNode vars = client.variables();
        vars.put("projectName", job.spec().project().orElse(""));
        vars.put("entityName", job.spec().entity().orElse(session.entity()));
        vars.put("runId", job.runId());
        try {
            return client.execute(Operations.RUN_STOPPED_STATUS, vars).path("project").path("run").path("stopped")
                    .asBoolean(false);
        } catch (WandbException e) {
            LOG.debug("RunStoppedStatus for {} failed: {}", job.runId(), e.getMessage());
            return false;
        }
    }

    /**
     * Pushes a preempted job back on this queue ({@code pushToRunQueueByName}) to resume the same run: same
     * {@code run_id}, {@code _resume_count} + 1, no {@code sweep_id} (so it may resume after its sweep ended), and
     * no per-run API key. Runs of another entity are not requeued (W&B).
     */
    @Override
    public boolean requeue(Job job) {
        if (!job.spec().entity().orElse(session.entity()).equals(session.entity())) {
            LOG.info("not requeueing run {}: it belongs to entity {}, not {}", job.runId(), job.spec().entity().get(),
                    session.entity());
            return false;
        }
        ObjectNode spec = job.spec().withRunId(job.runId()).toJson();
        spec.put("_resume_count", job.spec().resumeCount() + 1);
        spec.remove("sweep_id");
        spec.remove(LaunchSpec.API_KEY_FIELD);
        ObjectNode vars = client.variables();
        vars.put("entityName", session.entity());
        vars.put("projectName", session.project());
        vars.put("queueName", name);
        vars.put("runSpec", spec.toString());
        try {
            String item = client.execute(Operations.PUSH_TO_RUN_QUEUE_BY_NAME, vars).path("pushToRunQueueByName")
                    .path("runQueueItemId").asText("");
            if (item.isEmpty()) {
                LOG.warn("W&B did not requeue run {} on queue {}", job.runId(), name);
                return false;
            }
            LOG.info("requeued preempted run {} on queue {} as item {} (resume {})", job.runId(), name, item,
                    job.spec().resumeCount() + 1);
            return true;
        } catch (WandbException e) {
            LOG.warn("could not requeue run {} on queue {}: {}", job.runId(), name, e.getMessage());
            return false;
        }
    }

    /**
     * Turns a job that names a W&B job artifact ({@code runSpec.job}) into one with a concrete source: downloads
     * the artifact's files over the signed URLs W&B returns, reads {@code wandb-job.json}, and for code jobs
     * downloads the code artifact into a local directory. Sweep runs are first checked against their sweep's state.
     *
     * @throws LaunchException at stage {@code agent} naming the job when it cannot be found or read
     */
    @Override
    public Job resolve(Job job) {
        checkSweep(job);
        if (!(job.source() instanceof JobSource.Unresolved unresolved)) {
            return job;
        }
        Path dir = workDirs.computeIfAbsent(job.itemId(), k -> session.settings().downloadDirectory()
                .resolve(safe(job.itemId()) + "-" + safe(job.runId())));
        ResolvedJob resolved = session.resolver().resolve(new JobRequest(unresolved.reference(),
                job.spec().entity().orElse(session.entity()), job.spec().project().orElse(""),
                job.spec().entryPoint()), dir);
        Map<String, String> attrs = new LinkedHashMap<>(job.attributes());
        attrs.putAll(resolved.attributes());
        LOG.info("resolved job {} to {}", unresolved.reference(), resolved.source().describe());
        return new Job(job.itemId(), job.queueName(), job.entity(), job.spec(), resolved.source(), job.runId(), attrs);
    }

    private void checkSweep(Job job) {
        Optional<String> sweep = job.spec().sweepId();
        if (sweep.isEmpty()) {
            return;
        }
        ObjectNode vars = client.variables();
        vars.put("entity", job.spec().entity().orElse(session.entity()));
        vars.put("project", job.spec().project().orElse(""));
        vars.put("sweep", sweep.get());
        String state;
        try {
            state = client.execute(Operations.GET_SWEEP_STATE, vars).path("project").path("sweep").path("state")
                    .asText("");
        } catch (WandbException e) {
            throw new LaunchException(Stage.AGENT, "could not read the state of sweep " + sweep.get() + ": "
                    + e.getMessage(), e);
        }
        if (!state.equals("RUNNING") && !state.equals("PAUSED")) {
            throw new LaunchException(Stage.AGENT, "sweep " + sweep.get() + " is "
                    + (state.isEmpty() ? "unknown" : "in the terminal state " + state) + "; the sweep run "
                    + job.runId() + " was not started (sweep runs start only while the sweep is RUNNING or PAUSED)");
        }
    }

    /** Finds an item again after an agent restart ({@code GetRunQueueItem}); empty when it is gone or failed. */
    @Override
    public Optional<Job> recover(String itemId, String runId) {
        ObjectNode vars = client.variables();
        vars.put("projectName", session.project());
        vars.put("entityName", session.entity());
        vars.put("runQueue", name);
        vars.put("itemId", itemId);
        JsonNode item;
        try {
            item = client.execute(Operations.GET_RUN_QUEUE_ITEM, vars).path("project").path("runQueue")
                    .path("runQueueItem");
        } catch (WandbException e) {
            LOG.warn("could not look up item {} of queue {}: {}", itemId, name, e.getMessage());
            return Optional.empty();
        }
        if (!item.isObject() || item.path("state").asText("").equals("FAILED")) {
            return Optional.empty();
        }
        acked.add(itemId);
        LaunchSpec spec = LaunchSpec.empty().withRunId(runId).with("entity", session.entity());
        Map<String, String> attrs = Map.of(ATTR_QUEUE_ID, id, ATTR_QUEUE_PROJECT, session.project(),
                "wandb.recovered", "true");
        return Optional.of(new Job(itemId, name, session.entity(), spec,
                new JobSource.Unresolved("recovered item " + itemId), runId, attrs));
    }

    @Override
    public void agentState(AgentState state) {
        session.reportState(state);
    }

    @Override
    public boolean stopPollingRequested() {
        return session.stopPollingRequested();
    }

    /** Leaves the session; the last queue to close reports the agent {@code KILLED}. */
    @Override
    public void close() {
        session.release(this);
    }

    private void cleanUp(Job job) {
        Path dir = workDirs.remove(job.itemId());
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.debug("could not clean up {}: {}", dir, e.toString());
        }
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    @Override
    public String toString() {
        return "W&B queue " + session.entity() + "/" + name;
    }
}
