package dev.launchkit.core;

import java.util.Map;
import java.util.Objects;

/**
 * One unit of work handed out by a {@link Queue}: the queue item, its launch spec and (once resolved) its source.
 *
 * <p>Immutable. The queue that produced a job is the only one that acks, fails, warns or completes it.
 *
 * @param itemId     the queue item id (W&B {@code runQueueItemId}, a file name for the directory queue)
 * @param queueName  the queue the item came from
 * @param entity     the entity that owns the queue (empty when the queue has none)
 * @param spec       the launch spec, with {@code run_id} set to {@link #runId()}
 * @param source     where the code comes from
 * @param runId      the run id: the spec's {@code run_id} when it has one, otherwise one the queue generated
 * @param attributes queue-specific facts a plugin may need later (e.g. W&B project of the queue); never secrets
 */
public record Job(String itemId, String queueName, String entity, LaunchSpec spec, JobSource source, String runId,
                  Map<String, String> attributes) {

    public Job {
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(queueName, "queueName");
        entity = entity == null ? "" : entity;
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(runId, "runId");
        attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
    }

    /** The same job with another source (after resolution). */
    public Job withSource(JobSource newSource) {
        return new Job(itemId, queueName, entity, spec, newSource, runId, attributes);
    }

    /** The same job with another spec. */
    public Job withSpec(LaunchSpec newSpec) {
        return new Job(itemId, queueName, entity, newSpec, source, runId, attributes);
    }

    /** The runner type the spec asks for; {@code fallback} when the spec names none. */
    public String resource(String fallback) {
        return spec.resource().orElse(fallback);
    }

    /** {@code queue/item (run id)}, for logs. */
    @Override
    public String toString() {
        return queueName + "/" + itemId + " (run " + runId + ")";
    }
}
