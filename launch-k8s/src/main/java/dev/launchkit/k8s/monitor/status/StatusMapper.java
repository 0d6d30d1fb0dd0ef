package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Maps the current state of one kind of Kubernetes object (a batch Job, a JobSet, a RayJob, your own CRD) to a
 * run state. Implementations are pure functions of the object: no API calls, no clock, no state.
 *
 * <p>The object is the whole resource as the API server returns it ({@code apiVersion}, {@code metadata},
 * {@code spec}, {@code status}), as a Jackson tree. {@code status} may be missing on a freshly created object.
 * Return {@link ObjectStatus#starting()} when the object says nothing yet; pods lift a run to
 * {@code running} on their own, and Kueue suspension is handled by {@link StatusMappers} for every kind.
 *
 * <p>Register a mapper for a kind with {@link StatusMappers#with(String, String, StatusMapper)}:
 * <pre>{@code
 * StatusMappers mappers = StatusMappers.defaults()
 *     .with("example.com/v1", "Trainer", obj -> obj.at("/status/done").asBoolean()
 *         ? ObjectStatus.succeeded("Done", "") : ObjectStatus.starting());
 * }</pre>
 */
@FunctionalInterface
public interface StatusMapper {

    /**
     * Maps the object.
     *
     * @param object the resource; never null
     * @return the state it is in; never null
     */
    ObjectStatus map(JsonNode object);
}
