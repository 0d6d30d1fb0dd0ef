package dev.launchkit.examples.embedding;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * An embedder's own {@link Queue}: the platform submits {@link TrainingRequest}s in memory and hears about their
 * outcome through a callback. This is all a platform implements to put LaunchKit behind its own API.
 */
public final class TrainingRequestQueue implements Queue {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final BlockingQueue<TrainingRequest> inbox = new LinkedBlockingQueue<>();
    private final Map<String, String> runIds = new ConcurrentHashMap<>();
    private final BiConsumer<String, String> outcome;

    /**
     * @param outcome receives (request id, outcome text) once per request: {@code succeeded}, {@code failed: ...}
     */
    public TrainingRequestQueue(String name, BiConsumer<String, String> outcome) {
        this.name = name;
        this.outcome = outcome;
    }

    /** The platform's entry point. */
    public void submit(TrainingRequest request) {
        inbox.add(request);
    }

    /** The W&B run id the agent gave a request, once it was taken. */
    public Optional<String> runIdOf(String requestId) {
        return Optional.ofNullable(runIds.get(requestId));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Job> poll(Duration wait) throws InterruptedException {
        TrainingRequest r = inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            return Optional.empty();
        }
        ObjectNode spec = JSON.createObjectNode();
        spec.put("entity", r.team()).put("project", r.project()).put("resource", "local-process");
        spec.putObject("docker").put("docker_image", r.image());
        ObjectNode overrides = spec.putObject("overrides");
        overrides.set("entry_point", JSON.valueToTree(r.command()));
        overrides.set("run_config", JSON.valueToTree(r.config()));
        String runId = "req" + Integer.toHexString(r.id().hashCode() & 0x7fffffff);
        LaunchSpec launchSpec = LaunchSpec.of(spec).withRunId(runId);
        try {
            return Optional.of(new Job(r.id(), name, r.team(), launchSpec, JobSource.fromSpec(launchSpec), runId, Map.of()));
        } catch (LaunchException e) {
            outcome.accept(r.id(), "failed: " + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void ack(Job job, String runId) {
        runIds.put(job.itemId(), runId);
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        outcome.accept(job.itemId(), "failed at " + stage.wireName() + ": " + message);
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        // A real platform would surface this in its UI; the example keeps it in the log only.
    }

    @Override
    public void complete(Job job, RunStatus status) {
        outcome.accept(job.itemId(), status.state().wireName());
    }

    /** Requests still waiting (for the platform's own metrics). */
    public List<TrainingRequest> pending() {
        return List.copyOf(inbox);
    }
}
