package dev.launchkit.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The launch specification of one queue item: the W&B {@code runSpec}.
 *
 * <p>It is a read-only view over the JSON object the queue delivered. Every field is kept, including ones this
 * class has no accessor for, so {@link #toJson()} gives back exactly what was received (round-trip safe). The
 * {@code _wandb_api_key} field is never printed: {@link #toString()} and {@link #toMaskedJson()} replace it.
 *
 * <pre>{@code
 * LaunchSpec spec = LaunchSpec.parse("{\"entity\":\"team\",\"project\":\"vision\",\"docker\":{\"docker_image\":\"python:3.11\"}}");
 * spec.dockerImage();   // Optional[python:3.11]
 * }</pre>
 */
public final class LaunchSpec {
    /** The field that carries a per-run API key. */
    public static final String API_KEY_FIELD = "_wandb_api_key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASK = "<redacted>";

    private final ObjectNode root;

    private LaunchSpec(ObjectNode root) {
        this.root = root;
    }

    /** A spec over a copy of {@code node}. */
    public static LaunchSpec of(ObjectNode node) {
        return new LaunchSpec(node.deepCopy());
    }

    /** An empty spec, for building one with the {@code with*} methods. */
    public static LaunchSpec empty() {
        return new LaunchSpec(JsonNodeFactory.instance.objectNode());
    }

    /**
     * Parses a runSpec that arrived either as a JSON object or as a JSON string holding one (the W&B API
     * returns both shapes).
     *
     * @throws IllegalArgumentException saying what was found instead of an object
     */
    public static LaunchSpec fromNode(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException("runSpec is missing");
        }
        if (node.isTextual()) {
            return parse(node.asText());
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("runSpec must be a JSON object, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return of((ObjectNode) node);
    }

    /** Parses a JSON object, or a JSON string that itself holds a JSON object. */
    public static LaunchSpec parse(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("runSpec is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        }
        if (node != null && node.isTextual()) {
            return parse(node.asText());
        }
        return fromNode(node);
    }

    /** A deep copy of the whole JSON object, unknown fields included. */
    public ObjectNode toJson() {
        return root.deepCopy();
    }

    /** The JSON with the API key replaced, safe to log or store. */
    public ObjectNode toMaskedJson() {
        ObjectNode copy = root.deepCopy();
        if (copy.has(API_KEY_FIELD)) {
            copy.put(API_KEY_FIELD, MASK);
        }
        return copy;
    }

    /** The raw field, or a missing node. */
    public JsonNode get(String field) {
        return root.path(field).deepCopy();
    }

    public Optional<String> job() {
        return text(root.path("job"));
    }

    public Optional<String> uri() {
        return text(root.path("uri"));
    }

    /** {@code docker.docker_image}, else {@code image_uri}. */
    public Optional<String> dockerImage() {
        Optional<String> image = text(root.path("docker").path("docker_image"));
        return image.isPresent() ? image : text(root.path("image_uri"));
    }

    public Optional<String> entity() {
        return text(root.path("entity"));
    }

    /** The target project, lower-cased as the W&B agent does. */
    public Optional<String> project() {
        return text(root.path("project")).map(p -> p.toLowerCase(Locale.ROOT));
    }

    public Optional<String> author() {
        return text(root.path("author"));
    }

    public Optional<String> name() {
        return text(root.path("name"));
    }

    /** The runner type, e.g. {@code kubernetes} or {@code local-process}. */
    public Optional<String> resource() {
        return text(root.path("resource"));
    }

    /** The whole {@code resource_args} object ({@code {<resource>: {...}}}); empty object when absent. */
    public ObjectNode resourceArgs() {
        JsonNode node = root.path("resource_args");
        return node.isObject() ? (ObjectNode) node.deepCopy() : JsonNodeFactory.instance.objectNode();
    }

    /** {@code resource_args.<resource>}, the fragment for one runner; empty object when absent. */
    public ObjectNode resourceArgs(String resource) {
        JsonNode node = root.path("resource_args").path(resource);
        return node.isObject() ? (ObjectNode) node.deepCopy() : JsonNodeFactory.instance.objectNode();
    }

    /** {@code overrides.args}: replaces the container args when non-empty. */
    public List<String> args() {
        return strings(root.path("overrides").path("args"));
    }

    /** {@code overrides.entry_point}: replaces the command when non-empty. */
    public List<String> entryPoint() {
        return strings(root.path("overrides").path("entry_point"));
    }

    /** {@code overrides.run_config}, empty object when absent. */
    public ObjectNode runConfig() {
        return object(root.path("overrides").path("run_config"));
    }

    /** {@code overrides.artifacts}, empty object when absent. */
    public ObjectNode artifacts() {
        return object(root.path("overrides").path("artifacts"));
    }

    /** {@code overrides.files}, empty object when absent. */
    public ObjectNode files() {
        return object(root.path("overrides").path("files"));
    }

    /** {@code overrides.dockerfile}. */
    public Optional<String> dockerfile() {
        return text(root.path("overrides").path("dockerfile"));
    }

    public Optional<String> runId() {
        return text(root.path("run_id"));
    }

    public Optional<String> sweepId() {
        return text(root.path("sweep_id"));
    }

    /** {@code _resume_count}, 0 when absent. */
    public int resumeCount() {
        return root.path("_resume_count").asInt(0);
    }

    /** The per-run API key. Never log it; prefer passing it straight into a Secret. */
    public Optional<String> wandbApiKey() {
        return text(root.path(API_KEY_FIELD));
    }

    /** A copy with {@code run_id} set. */
    public LaunchSpec withRunId(String runId) {
        ObjectNode copy = root.deepCopy();
        copy.put("run_id", runId);
        return new LaunchSpec(copy);
    }

    /** A copy with one top-level field replaced (or added). */
    public LaunchSpec with(String field, JsonNode value) {
        ObjectNode copy = root.deepCopy();
        copy.set(field, value == null ? null : value.deepCopy());
        return new LaunchSpec(copy);
    }

    /** A copy with one top-level string field replaced (or added). */
    public LaunchSpec with(String field, String value) {
        return with(field, JsonNodeFactory.instance.textNode(value));
    }

    private static Optional<String> text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
            return Optional.empty();
        }
        String value = node.asText();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static List<String> strings(JsonNode node) {
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return Collections.unmodifiableList(out);
    }

    private static ObjectNode object(JsonNode node) {
        return node.isObject() ? (ObjectNode) node.deepCopy() : JsonNodeFactory.instance.objectNode();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LaunchSpec other && other.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    /** The JSON with the API key masked. */
    @Override
    public String toString() {
        return toMaskedJson().toString();
    }
}
