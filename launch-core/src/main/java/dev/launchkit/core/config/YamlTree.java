package dev.launchkit.core.config;

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
 * Parses YAML (or JSON) into a {@link ConfigNode} that remembers the line of every key, so errors can say
 * {@code launch-config.yaml:4: builder.type: ...}.
 *
 * <p>YAML forbids tabs in indentation; the error for that names the line and says how to fix it instead of
 * passing on the parser's generic complaint.
 */
public final class YamlTree {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {
    }

    /**
     * Parses {@code text}.
     *
     * @param source the file name for messages
     * @throws ConfigException naming the file and line of a syntax error, with advice for tabs
     */
    public static ConfigNode parse(String text, String source) {
        rejectTabIndentation(text, source);
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root;
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                root = NODES.objectNode();
            } else {
                root = read(p, "", lines);
                if (p.nextToken() != null) {
                    throw new ConfigException(source + ":" + p.currentLocation().getLineNr()
                            + ": more than one YAML document; a config file holds exactly one");
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? source : source + ":" + loc.getLineNr();
            throw new ConfigException(where + ": invalid YAML: " + firstLine(e.getOriginalMessage())
                    + " — check the indentation and quoting around this line", e);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage(), e);
        }
        if (root.isNull()) {
            root = NODES.objectNode();
        }
        return ConfigNode.root(root, source, path -> lines.getOrDefault(path, 0));
    }

    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines) throws IOException {
        JsonToken t = p.currentToken();
        lines.putIfAbsent(path, p.currentLocation().getLineNr());
        switch (t) {
            case START_OBJECT: {
                ObjectNode obj = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    int keyLine = p.currentLocation().getLineNr();
                    p.nextToken();
                    lines.put(childPath, keyLine);
                    obj.set(key, read(p, childPath, lines));
                }
                return obj;
            }
            case START_ARRAY: {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String childPath = path + "[" + i++ + "]";
                    lines.put(childPath, p.currentLocation().getLineNr());
                    arr.add(read(p, childPath, lines));
                }
                return arr;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? NODES.numberNode(p.getBigIntegerValue()) : NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                return NODES.textNode(p.getText());
        }
    }

    /** YAML allows only spaces for indentation; say so with the line, before the parser says something vaguer. */
    static void rejectTabIndentation(String text, String source) {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int j = 0;
            while (j < line.length() && (line.charAt(j) == ' ' || line.charAt(j) == '\t')) {
                if (line.charAt(j) == '\t' && j + 1 < line.length() && !line.substring(j).isBlank()) {
                    throw new ConfigException(source + ":" + (i + 1) + ": the line is indented with a tab, and YAML "
                            + "allows only spaces for indentation. Replace the tab with spaces (for example "
                            + "`sed -i 's/\\t/  /g' " + source + "` turns each tab into two spaces)");
                }
                j++;
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
