package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses rendered manifests into the official client's typed models, which refuse unknown fields and wrongly typed
 * values. A typo in a queue config ({@code nodeselector}, {@code env: {A: b}}) is caught here, named by its key
 * path, before anything reaches the API server.
 */
final class ModelCheck {
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("The field `([^`]+)` in the JSON string is not "
            + "defined in the `([^`]+)` properties");
    private static final Pattern EXPECTED = Pattern.compile("Expected the field `([^`]+)` to be (an? [^`]+?) in the "
            + "JSON string but got");
    private static final Pattern REQUIRED = Pattern.compile("The required field `([^`]+)` is not found in the JSON "
            + "string");

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private ModelCheck() {
    }

    /** The manifest as a {@code V1Job}; errors name the key path and what the Job schema expects. */
    static V1Job job(ObjectNode manifest) {
        try {
            return V1Job.fromJson(manifest.toString());
        } catch (IOException | RuntimeException e) {
            throw refused(manifest, "", "the rendered Job is not a valid batch/v1 Job", e);
        }
    }

    /**
     * The JSON the typed Job is sent as, in the manifest's key order, without the empty lists and maps the client's
     * models carry for absent fields: what the API server receives, written as a user would. Values the model
     * normalises (quantities: {@code 1000m} is sent as {@code 1}) are shown as sent.
     */
    static ObjectNode canonical(ObjectNode manifest, V1Job job) {
        try {
            JsonNode typed = MAPPER.readTree(new io.kubernetes.client.openapi.JSON().serialize(job));
            return (ObjectNode) canonical(manifest, typed);
        } catch (IOException e) {
            throw new IllegalStateException("a typed Job did not serialise: " + e.getMessage(), e);
        }
    }

    private static JsonNode canonical(JsonNode original, JsonNode typed) {
        if (typed.isObject()) {
            ObjectNode out = MAPPER.createObjectNode();
            java.util.List<String> keys = new java.util.ArrayList<>();
            if (original != null && original.isObject()) {
                original.fieldNames().forEachRemaining(keys::add);
            }
            typed.fieldNames().forEachRemaining(k -> {
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            });
            for (String k : keys) {
                JsonNode v = typed.get(k);
                JsonNode o = original == null ? null : original.get(k);
                if (v == null || (o == null && v.isContainerNode() && v.isEmpty())) {
                    continue;
                }
                out.set(k, canonical(o, v));
            }
            return out;
        }
        if (typed.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = MAPPER.createArrayNode();
            for (int i = 0; i < typed.size(); i++) {
                out.add(canonical(original != null && original.isArray() ? original.get(i) : null, typed.get(i)));
            }
            return out;
        }
        return typed;
    }

    /** Checks one pod template (or bare pod spec) found inside a custom resource. */
    static void podSpec(PodSpecs.Site site, ObjectNode manifest) {
        try {
            if (site.template().isPresent()) {
                V1PodTemplateSpec.fromJson(site.template().get().toString());
            } else {
                V1PodSpec.fromJson(site.spec().toString());
            }
        } catch (IOException | RuntimeException e) {
            String at = site.template().isPresent() ? parentPath(site.path()) : site.path();
            throw refused(manifest, at, "the pod template at " + at + " is not a valid pod template", e);
        }
    }

    private static LaunchException refused(ObjectNode manifest, String under, String what, Exception e) {
        String detail = describe(manifest, under, String.valueOf(e.getMessage()));
        return new LaunchException(Stage.AGENT, "resource_args.kubernetes: " + what + ": " + detail
                + ". Fix the queue's resource config");
    }

    /** A readable description of the client's validation message, without the JSON dump it appends. */
    static String describe(ObjectNode manifest, String under, String message) {
        Matcher m = UNKNOWN_FIELD.matcher(message);
        if (m.find()) {
            String where = locate(manifest.at(pointer(under)), m.group(1), under).orElse(m.group(1));
            return "unknown field " + where + " (not a field of " + m.group(2) + "; check its spelling and indentation)";
        }
        m = EXPECTED.matcher(message);
        if (m.find()) {
            String where = locate(manifest.at(pointer(under)), m.group(1), under).orElse(m.group(1));
            return where + " must be " + m.group(2);
        }
        m = REQUIRED.matcher(message);
        if (m.find()) {
            return "the required field '" + m.group(1) + "' is missing";
        }
        int json = message.indexOf(" JSON:");
        return json > 0 ? message.substring(0, json) : message;
    }

    /** The first key path under {@code node} whose last key is {@code key}. */
    private static Optional<String> locate(JsonNode node, String key, String path) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = JsonTrees.path(path, e.getKey());
                if (e.getKey().equals(key)) {
                    return Optional.of(at);
                }
                Optional<String> deeper = locate(e.getValue(), key, at);
                if (deeper.isPresent()) {
                    return deeper;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> deeper = locate(node.get(i), key, JsonTrees.path(path, i));
                if (deeper.isPresent()) {
                    return deeper;
                }
            }
        }
        return Optional.empty();
    }

    private static String parentPath(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** {@code a.b[0].c} as a JSON pointer {@code /a/b/0/c}. */
    private static String pointer(String path) {
        if (path.isEmpty()) {
            return "";
        }
        return "/" + path.replace("[", ".").replace("]", "").replace("~", "~0").replace("/", "~1").replace('.', '/');
    }
}
