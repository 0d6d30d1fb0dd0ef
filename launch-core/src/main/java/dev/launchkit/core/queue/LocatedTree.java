package dev.launchkit.core.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Parses a queue file (JSON or YAML) into a {@link ConfigNode} that knows the line of every key, so problems are
 * reported as {@code queue/pending/train.yaml:7: spec.overrides.args: expected a list of strings, got 'x'}.
 * Syntax errors, tab indentation in YAML, duplicate keys and multi-document YAML are reported with their line.
 */
public final class LocatedTree {
    /** The two file formats. */
    public enum Format {
        JSON, YAML;

        /** YAML for {@code .yaml} / {@code .yml}, JSON otherwise. */
        public static Format forFileName(String fileName) {
            String lower = fileName.toLowerCase(java.util.Locale.ROOT);
            return lower.endsWith(".yaml") || lower.endsWith(".yml") ? YAML : JSON;
        }
    }

    private final JsonFactory json = new JsonFactory();
    private final YAMLFactory yaml = YAMLFactory.builder().build();

    /**
     * Parses {@code text}.
     *
     * @param source the name used in messages, e.g. {@code local/pending/train.yaml}
     * @throws ConfigException naming the source, line and problem
     */
    public ConfigNode parse(String text, String source, Format format) {
        if (text.isBlank()) {
            throw new ConfigException(source + ": the file is empty; it must hold a launch spec (a "
                    + (format == Format.JSON ? "JSON object" : "YAML mapping") + ")");
        }
        if (format == Format.YAML) {
            rejectTabIndentation(text, source);
        }
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root;
        try (JsonParser p = (format == Format.JSON ? json : yaml).createParser(text)) {
            p.nextToken();
            root = read(p, "", lines, source);
            if (p.nextToken() != null) {
                throw new ConfigException(source + ":" + p.currentLocation().getLineNr() + ": unexpected content "
                        + "after the end of the " + (format == Format.JSON ? "JSON object" : "first YAML document")
                        + "; a file holds exactly one launch spec");
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null || loc.getLineNr() < 1 ? source : source + ":" + loc.getLineNr();
            throw new ConfigException(where + ": invalid " + format.name() + ": " + firstLine(e.getOriginalMessage())
                    + (format == Format.YAML ? " — check indentation and quoting on this line (quote {{variables}})"
                    : " — check for a missing comma, quote or brace"), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage(), e);
        }
        return ConfigNode.root(root, source, path -> lines.getOrDefault(path, 0));
    }

    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines, String source)
            throws IOException {
        JsonToken t = p.currentToken();
        lines.putIfAbsent(path, p.currentLocation().getLineNr());
        if (t == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        switch (t) {
            case START_OBJECT: {
                ObjectNode obj = JsonNodeFactory.instance.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    int line = p.currentLocation().getLineNr();
                    if (obj.has(key)) {
                        throw new ConfigException(source + ":" + line + ": " + childPath + ": duplicate key; the "
                                + "first one is on line " + lines.get(childPath) + " — remove one of them");
                    }
                    lines.put(childPath, line);
                    p.nextToken();
                    obj.set(key, read(p, childPath, lines, source));
                }
                return obj;
            }
            case START_ARRAY: {
                ArrayNode arr = JsonNodeFactory.instance.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String childPath = path + "[" + i++ + "]";
                    lines.put(childPath, p.currentLocation().getLineNr());
                    arr.add(read(p, childPath, lines, source));
                }
                return arr;
            }
            case VALUE_STRING:
                return JsonNodeFactory.instance.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return JsonNodeFactory.instance.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return JsonNodeFactory.instance.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return JsonNodeFactory.instance.booleanNode(true);
            case VALUE_FALSE:
                return JsonNodeFactory.instance.booleanNode(false);
            case VALUE_NULL:
                return JsonNodeFactory.instance.nullNode();
            default:
                return JsonNodeFactory.instance.textNode(p.getText());
        }
    }

    /** YAML allows only spaces for indentation; say so with the line, not with the parser's vaguer complaint. */
    private static void rejectTabIndentation(String text, String source) {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            for (int j = 0; j < line.length() && Character.isWhitespace(line.charAt(j)); j++) {
                if (line.charAt(j) == '\t' && !line.isBlank()) {
                    throw new ConfigException(source + ":" + (i + 1) + ": the line is indented with a tab, and YAML "
                            + "allows only spaces for indentation; replace the tab with spaces");
                }
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
