package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The status mappers of one monitor, looked up by {@code apiVersion} and {@code kind}: an exact
 * {@code group/version} entry first, then a {@code group/*} entry (any version), then the generic mapper.
 *
 * <p>Every lookup also handles suspension the same way for all kinds: an object that is not finished and has
 * {@code spec.suspend: true} (Job, JobSet, RayJob) or {@code spec.runPolicy.suspend: true} (Kubeflow) is
 * {@code queued} when it carries Kueue's {@code kueue.x-k8s.io/queue-name} label — Kueue will start it when quota
 * frees up, so the start timeout must not fire — and {@code starting} with reason {@code Suspended} otherwise.
 *
 * <p>Immutable: {@link #with} returns a new registry.
 *
 * <p>Built in: {@code batch/v1} Job (conditions), {@code jobset.x-k8s.io} JobSet, {@code ray.io} RayJob, Kubeflow
 * training jobs ({@code kubeflow.org} PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob and
 * {@code trainer.kubeflow.org} TrainJob, by conditions), Volcano {@code batch.volcano.sh} Job (phase).
 */
public final class StatusMappers {
    /** The label that puts a workload in a Kueue LocalQueue. */
    public static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";

    private final Map<String, StatusMapper> mappers;
    private final StatusMapper fallback;

    private StatusMappers(Map<String, StatusMapper> mappers, StatusMapper fallback) {
        this.mappers = Map.copyOf(mappers);
        this.fallback = fallback;
    }

    /** The built-in mappers. */
    public static StatusMappers defaults() {
        Map<String, StatusMapper> m = new LinkedHashMap<>();
        JobStatusMapper job = new JobStatusMapper();
        m.put(key("batch/v1", "Job"), job);
        m.put(key("batch/v1beta1", "Job"), job);
        m.put(key("jobset.x-k8s.io/*", "JobSet"), new JobSetStatusMapper());
        m.put(key("ray.io/*", "RayJob"), new RayJobStatusMapper());
        ConditionsStatusMapper conditions = new ConditionsStatusMapper();
        for (String kind : new String[] {"PyTorchJob", "TFJob", "MPIJob", "XGBoostJob", "PaddleJob", "JAXJob"}) {
            m.put(key("kubeflow.org/*", kind), conditions);
        }
        m.put(key("trainer.kubeflow.org/*", "TrainJob"), conditions);
        m.put(key("batch.volcano.sh/*", "Job"), new PhaseStatusMapper());
        return new StatusMappers(m, new GenericStatusMapper());
    }

    /**
     * A registry with one more mapper, replacing any for the same key.
     *
     * @param apiVersion {@code group/version}, or {@code group/*} for every version of the group
     * @param kind       the kind, e.g. {@code PyTorchJob}
     */
    public StatusMappers with(String apiVersion, String kind, StatusMapper mapper) {
        Objects.requireNonNull(mapper, "mapper");
        Map<String, StatusMapper> m = new LinkedHashMap<>(mappers);
        m.put(key(apiVersion, kind), mapper);
        return new StatusMappers(m, fallback);
    }

    /**
     * A registry with the success/failure conditions of a configuration list added. Each entry has
     * {@code apiVersion} ({@code group/version} or {@code group/*}), {@code kind} and at least one of
     * {@code success_condition} / {@code failure_condition} (Argo's {@code successCondition} /
     * {@code failureCondition} spellings are accepted too); see {@link StatusExpression} for the syntax.
     * <pre>
     * status_conditions:
     *   - apiVersion: example.com/v1
     *     kind: Trainer
     *     success_condition: status.phase == Succeeded
     *     failure_condition: status.failed &gt; 2
     * </pre>
     * The states before the end (queued, starting, running) still come from the mapper the kind had.
     *
     * @param list the list node (missing means no change)
     * @throws ConfigException naming the entry and key when an entry is incomplete or an expression is invalid
     */
    public StatusMappers withConditions(ConfigNode list) {
        StatusMappers out = this;
        if (list.isMissing()) {
            return out;
        }
        if (!list.json().isArray()) {
            throw list.error("expected a list of {apiVersion, kind, success_condition, failure_condition} entries");
        }
        for (int i = 0; i < list.size(); i++) {
            ConfigNode entry = list.element(i);
            String apiVersion = entry.requireString("apiVersion");
            String kind = entry.requireString("kind");
            if (!apiVersion.contains("/")) {
                throw entry.child("apiVersion").error("'" + apiVersion + "' is not group/version (or group/*); "
                        + "custom resources always have a group, e.g. kubeflow.org/v1");
            }
            StatusExpression success = expression(entry, "success_condition", "successCondition");
            StatusExpression failure = expression(entry, "failure_condition", "failureCondition");
            if (success == null && failure == null) {
                throw entry.error("needs success_condition or failure_condition (or both)");
            }
            out = out.with(apiVersion, kind,
                    new ExpressionStatusMapper(success, failure, out.mapperFor(apiVersion, kind)));
        }
        return out;
    }

    private static StatusExpression expression(ConfigNode entry, String key, String alias) {
        String k = entry.has(key) ? key : alias;
        return entry.optString(k).map(text -> {
            try {
                return StatusExpression.parse(text);
            } catch (IllegalArgumentException e) {
                throw entry.child(k).error("not a valid condition: " + e.getMessage()
                        + " (example: status.phase == Succeeded)");
            }
        }).orElse(null);
    }

    /** The mapper for a kind: exact version, then any version of the group, then the generic one. */
    public StatusMapper mapperFor(String apiVersion, String kind) {
        StatusMapper exact = mappers.get(key(apiVersion, kind));
        if (exact != null) {
            return exact;
        }
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        return mappers.getOrDefault(key(group + "/*", kind), fallback);
    }

    /** Maps an object with the mapper for its {@code apiVersion}/{@code kind}, then applies suspension. */
    public ObjectStatus map(JsonNode object) {
        ObjectStatus status = mapperFor(object.path("apiVersion").asText(""), object.path("kind").asText(""))
                .map(object);
        if (status.isTerminal() || !suspended(object)) {
            return status;
        }
        String queue = kueueQueue(object);
        if (!queue.isEmpty()) {
            return ObjectStatus.queued("Suspended", "waiting for Kueue to admit it to LocalQueue '" + queue + "'");
        }
        return ObjectStatus.starting("Suspended", "the " + object.path("kind").asText("object")
                + " is suspended (spec.suspend: true) and has no " + KUEUE_QUEUE_LABEL
                + " label, so nothing will resume it unless someone does");
    }

    /** Whether the object asks to be suspended ({@code spec.suspend} or Kubeflow's {@code spec.runPolicy.suspend}). */
    public static boolean suspended(JsonNode object) {
        JsonNode spec = object.path("spec");
        return spec.path("suspend").asBoolean(false) || spec.path("runPolicy").path("suspend").asBoolean(false);
    }

    /** The Kueue LocalQueue the object is in; empty when it is not managed by Kueue. */
    public static String kueueQueue(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        String label = metadata.path("labels").path(KUEUE_QUEUE_LABEL).asText("");
        return label.isEmpty() ? metadata.path("annotations").path(KUEUE_QUEUE_LABEL).asText("") : label;
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + "|" + kind;
    }
}
