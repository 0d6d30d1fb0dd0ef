package dev.launchkit.wandb.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parsed {@code wandb-job.json} of a job artifact (reference: wandb-launch-agent.md §3.5).
 *
 * @param sourceType {@code image}, {@code repo} or {@code artifact}
 * @param source     the {@code source} object as written
 * @param runtime    the Python version ({@code "3.10"}); empty when absent
 * @param raw        the whole file
 */
public record JobArtifact(String sourceType, JsonNode source, String runtime, JsonNode raw) {

    public JobArtifact {
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(source, "source");
        runtime = runtime == null ? "" : runtime;
        Objects.requireNonNull(raw, "raw");
    }

    /**
     * Reads the file's tree.
     *
     * @throws IllegalArgumentException saying what is missing
     */
    public static JobArtifact of(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("wandb-job.json is not a JSON object");
        }
        String type = root.path("source_type").asText("");
        if (type.isEmpty()) {
            throw new IllegalArgumentException("wandb-job.json has no source_type (image, repo or artifact)");
        }
        JsonNode source = root.path("source");
        if (!source.isObject()) {
            throw new IllegalArgumentException("wandb-job.json has no source object");
        }
        return new JobArtifact(type, source, root.path("runtime").asText(""), root);
    }

    /** {@code source.entrypoint}, empty when absent. */
    public List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        JsonNode e = source.path("entrypoint");
        if (e.isArray()) {
            e.forEach(n -> out.add(n.asText()));
        } else if (e.isTextual() && !e.asText().isBlank()) {
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /** {@code source.notebook}. */
    public boolean notebook() {
        return source.path("notebook").asBoolean(false);
    }

    /** A text field of {@code source}, empty when absent. */
    public String sourceText(String field) {
        JsonNode n = source.path(field);
        return n.isValueNode() && !n.isNull() ? n.asText() : "";
    }
}
