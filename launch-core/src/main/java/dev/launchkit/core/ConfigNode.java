package dev.launchkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * A read-only subtree of a configuration file that knows where it came from, so every error can name the file,
 * line and key path.
 *
 * <p>Providers receive their own subtree (for example the {@code builder} block). Typed getters throw
 * {@link ConfigException} with a message such as {@code launch-config.yaml:7: builder.kaniko-image: expected a
 * string, got a list}.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final String source;
    private final ToIntFunction<String> lines;

    private ConfigNode(JsonNode node, String path, String source, ToIntFunction<String> lines) {
        this.node = node == null ? JsonNodeFactory.instance.missingNode() : node;
        this.path = path;
        this.source = source;
        this.lines = lines;
    }

    /**
     * A root node.
     *
     * @param node   the parsed tree
     * @param source the file name used in messages, e.g. {@code launch-config.yaml}
     * @param lines  the line of a dotted key path in that file, or 0 when unknown
     */
    public static ConfigNode root(JsonNode node, String source, ToIntFunction<String> lines) {
        return new ConfigNode(node, "", source, lines);
    }

    /** A root node without line information, for config built in code. */
    public static ConfigNode of(JsonNode node, String source) {
        return root(node, source, p -> 0);
    }

    /** An empty object, for providers that were configured with nothing. */
    public static ConfigNode empty(String source) {
        return of(JsonNodeFactory.instance.objectNode(), source);
    }

    /** The dotted key path of this node, e.g. {@code builder.kaniko-config}; empty for the root. */
    public String path() {
        return path;
    }

    /** {@code file:line} (or just the file when the line is unknown) of this node. */
    public String location() {
        int line = lines.applyAsInt(path);
        return line > 0 ? source + ":" + line : source;
    }

    /** A child object or value; missing children are allowed and report themselves as missing. */
    public ConfigNode child(String key) {
        return new ConfigNode(node.path(key), path.isEmpty() ? key : path + "." + key, source, lines);
    }

    /** The element at {@code index} of a list node. */
    public ConfigNode element(int index) {
        return new ConfigNode(node.path(index), path + "[" + index + "]", source, lines);
    }

    public boolean isMissing() {
        return node.isMissingNode() || node.isNull();
    }

    public boolean has(String key) {
        return !child(key).isMissing();
    }

    /** A copy of the underlying JSON (an empty object when missing). */
    public JsonNode json() {
        return isMissing() ? JsonNodeFactory.instance.objectNode() : node.deepCopy();
    }

    /** The underlying object, or an error when this is not an object. Missing gives an empty object. */
    public ObjectNode object() {
        if (isMissing()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw error("expected a mapping of keys to values, got " + describe(node));
        }
        return (ObjectNode) node.deepCopy();
    }

    /** Keys of an object node in file order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (node.isObject()) {
            Iterator<String> it = node.fieldNames();
            it.forEachRemaining(keys::add);
        }
        return keys;
    }

    /** Number of elements of a list node (0 when missing). */
    public int size() {
        return node.isArray() ? node.size() : 0;
    }

    public Optional<String> optString(String key) {
        ConfigNode c = child(key);
        if (c.isMissing()) {
            return Optional.empty();
        }
        if (!c.node.isValueNode()) {
            throw c.error("expected a string, got " + describe(c.node));
        }
        return Optional.of(c.node.asText());
    }

    public String string(String key, String fallback) {
        return optString(key).orElse(fallback);
    }

    /** A required string; the error names the key and says it must be set. */
    public String requireString(String key) {
        return optString(key).filter(s -> !s.isBlank())
                .orElseThrow(() -> child(key).error("is required but not set"));
    }

    public Optional<Integer> optInt(String key) {
        ConfigNode c = child(key);
        if (c.isMissing()) {
            return Optional.empty();
        }
        if (c.node.isIntegralNumber() && c.node.canConvertToInt()) {
            return Optional.of(c.node.intValue());
        }
        if (c.node.isTextual()) {
            try {
                return Optional.of(Integer.parseInt(c.node.asText().trim()));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw c.error("expected an integer, got " + describe(c.node));
    }

    public int integer(String key, int fallback) {
        return optInt(key).orElse(fallback);
    }

    public Optional<Boolean> optBoolean(String key) {
        ConfigNode c = child(key);
        if (c.isMissing()) {
            return Optional.empty();
        }
        if (c.node.isBoolean()) {
            return Optional.of(c.node.booleanValue());
        }
        if (c.node.isTextual() && c.node.asText().matches("(?i)true|false")) {
            return Optional.of(Boolean.parseBoolean(c.node.asText()));
        }
        throw c.error("expected true or false, got " + describe(c.node));
    }

    public boolean bool(String key, boolean fallback) {
        return optBoolean(key).orElse(fallback);
    }

    /** A list of strings; a single string counts as a one-element list. */
    public List<String> strings(String key) {
        ConfigNode c = child(key);
        if (c.isMissing()) {
            return List.of();
        }
        if (c.node.isValueNode()) {
            return List.of(c.node.asText());
        }
        if (!c.node.isArray()) {
            throw c.error("expected a list of strings, got " + describe(c.node));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.node.size(); i++) {
            JsonNode e = c.node.get(i);
            if (!e.isValueNode()) {
                throw c.element(i).error("expected a string, got " + describe(e));
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /** A map of string values (e.g. labels). */
    public Map<String, String> stringMap(String key) {
        ConfigNode c = child(key);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String k : c.keys()) {
            out.put(k, c.string(k, ""));
        }
        if (!c.isMissing() && !c.node.isObject()) {
            throw c.error("expected a mapping, got " + describe(c.node));
        }
        return out;
    }

    /** A {@link ConfigException} for this node: {@code file:line: path: message}. */
    public ConfigException error(String message) {
        return new ConfigException(location() + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    static String describe(JsonNode n) {
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isTextual()) {
            return "'" + n.asText() + "'";
        }
        return n.toString();
    }

    @Override
    public String toString() {
        return location() + " " + path;
    }
}
