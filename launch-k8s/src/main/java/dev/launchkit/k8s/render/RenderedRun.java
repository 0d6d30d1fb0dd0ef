package dev.launchkit.k8s.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.k8s.KubeObjectRef;
import io.kubernetes.client.openapi.models.V1Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one run creates in the cluster, in creation order: its Secrets (API key, image pull), then its object
 * (a {@code batch/v1} Job or a custom resource). Produced by {@link ManifestRenderer}; submitted as is, so what
 * {@code launch-agent render} prints is exactly what {@code run} creates.
 *
 * <p>Immutable; the accessors hand out copies.
 */
public final class RenderedRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // "1" (a quantity, an env value) must stay a string when the YAML is read back or applied.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    private final ObjectNode manifest;
    private final List<RenderedSecret> secrets;
    private final V1Job job;

    RenderedRun(ObjectNode manifest, List<RenderedSecret> secrets, V1Job job) {
        this.manifest = Objects.requireNonNull(manifest, "manifest").deepCopy();
        this.secrets = List.copyOf(secrets);
        this.job = job;
    }

    /** The run's object as JSON (a copy). */
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    public String apiVersion() {
        return manifest.path("apiVersion").asText();
    }

    public String kind() {
        return manifest.path("kind").asText();
    }

    public String namespace() {
        return manifest.path("metadata").path("namespace").asText();
    }

    public String name() {
        return manifest.path("metadata").path("name").asText();
    }

    /** Whether the object is a plain {@code batch/v1} Job (created with the batch API, not as a custom object). */
    public boolean isBatchJob() {
        return job != null;
    }

    /** The object as the official client's {@code V1Job}, for the batch path. */
    public Optional<V1Job> batchJob() {
        return job == null ? Optional.empty() : Optional.of(copy(job));
    }

    /** The Secrets to create before the object, in order. */
    public List<RenderedSecret> secrets() {
        return secrets;
    }

    /** A reference to the object once its plural is known (from discovery; {@code jobs} for batch Jobs). */
    public KubeObjectRef ref(String plural) {
        return new KubeObjectRef(namespace(), apiVersion(), kind(), plural, name());
    }

    /** The custom object body as {@code CustomObjectsApi} takes it. */
    public Map<String, Object> customObjectBody() {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = JSON.convertValue(manifest, Map.class);
        return body;
    }

    /**
     * Every object in creation order, as the official client's typed models: {@code V1Secret}s, then the
     * {@code V1Job} or, for a custom resource, its body as a {@code Map} (the form {@code CustomObjectsApi} uses).
     */
    public List<Object> objects() {
        List<Object> out = new ArrayList<>();
        secrets.forEach(s -> out.add(s.secret()));
        out.add(job != null ? copy(job) : customObjectBody());
        return out;
    }

    /**
     * All objects as one multi-document YAML text, with every Secret value replaced by {@link SecretMasker#MASK} and
     * any registered secret masked wherever else it appears.
     */
    public String toYaml(SecretMasker masker) {
        StringBuilder out = new StringBuilder();
        for (RenderedSecret s : secrets) {
            out.append("---\n").append(yaml(maskedSecret(s)));
        }
        out.append("---\n").append(yaml(manifest));
        return masker.mask(out.toString());
    }

    private static ObjectNode maskedSecret(RenderedSecret s) {
        ObjectNode node;
        try {
            node = (ObjectNode) JSON.readTree(s.secret().toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a rendered Secret did not serialise: " + e.getOriginalMessage(), e);
        }
        // Masked values go under stringData: "****" is not base64, so under data the output would not parse as a
        // Secret any more; the keys stay visible so the reader sees what the Secret holds.
        ObjectNode masked = JSON.createObjectNode();
        for (String field : List.of("data", "stringData")) {
            JsonNode values = node.path(field);
            if (values instanceof ObjectNode o) {
                o.fieldNames().forEachRemaining(k -> masked.put(k, SecretMasker.MASK));
            }
            node.remove(field);
        }
        node.set("stringData", masked);
        prune(node);
        return node;
    }

    /** Drops the empty lists and maps the client's models carry, so the YAML shows what a user would write. */
    private static void prune(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> empty = new ArrayList<>();
            o.fields().forEachRemaining(e -> {
                prune(e.getValue());
                if (e.getValue().isContainerNode() && e.getValue().isEmpty()) {
                    empty.add(e.getKey());
                }
            });
            o.remove(empty);
        }
    }

    private static String yaml(JsonNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a rendered object did not serialise: " + e.getOriginalMessage(), e);
        }
    }

    private static V1Job copy(V1Job job) {
        try {
            return V1Job.fromJson(job.toJson());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a rendered Job did not round-trip: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return kind() + " " + namespace() + "/" + name() + " with secrets " + secrets;
    }
}
