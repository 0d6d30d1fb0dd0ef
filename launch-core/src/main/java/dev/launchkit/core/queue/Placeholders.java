package dev.launchkit.core.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and fills {@code {{name}}} template placeholders in a JSON tree, in string values and in keys, as the W&B
 * server does with a queue's resource configuration. Agent-side {@code ${macro}}s are left alone.
 */
final class Placeholders {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*(" + TemplateVariable.NAME_PATTERN + ")\\s*}}");

    private Placeholders() {
    }

    /** The names used anywhere in {@code node}, in order of first appearance. */
    static Set<String> names(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, Set<String> out) {
        if (node.isTextual()) {
            find(node.asText(), out);
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                find(e.getKey(), out);
                collect(e.getValue(), out);
            }
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        }
    }

    private static void find(String text, Set<String> out) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
    }

    /**
     * A copy of {@code node} with every placeholder replaced. A string that is exactly one placeholder becomes the
     * value itself (so an integer variable yields a JSON number); a placeholder inside longer text, or in a key, is
     * replaced by the value's text.
     */
    static JsonNode fill(JsonNode node, Map<String, JsonNode> values) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches() && values.containsKey(whole.group(1))) {
                return values.get(whole.group(1)).deepCopy();
            }
            return JsonNodeFactory.instance.textNode(fillText(text, values));
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.set(fillText(e.getKey(), values), fill(e.getValue(), values));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(fill(n, values)));
            return out;
        }
        return node.deepCopy();
    }

    private static String fillText(String text, Map<String, JsonNode> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            JsonNode v = values.get(m.group(1));
            String replacement = v == null ? m.group() : v.isNumber() && !v.isIntegralNumber()
                    ? v.decimalValue().toPlainString() : v.asText();
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
