package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Small operations on Jackson trees that the renderer needs: merge, string rewriting, child creation. */
final class JsonTrees {
    private JsonTrees() {
    }

    /**
     * Merges {@code over} onto {@code base} in place, the way JSON merge patch (RFC 7386) does: objects merge key by
     * key, every other value (lists included) replaces, and an explicit {@code null} removes the key. This is how the
     * queue's fragment lands on the defaults: the queue wins wherever it says something.
     */
    static ObjectNode merge(ObjectNode base, JsonNode over) {
        Iterator<Map.Entry<String, JsonNode>> it = over.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            JsonNode current = base.get(e.getKey());
            if (value.isNull()) {
                base.remove(e.getKey());
            } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, value);
            } else {
                base.set(e.getKey(), value.deepCopy());
            }
        }
        return base;
    }

    /** Replaces every string leaf (not keys) of the tree in place with {@code fn(leaf)}. */
    static void rewriteStrings(JsonNode node, UnaryOperator<String> fn) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    e.setValue(o.textNode(fn.apply(e.getValue().asText())));
                } else {
                    rewriteStrings(e.getValue(), fn);
                }
            }
        } else if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isTextual()) {
                    a.set(i, a.textNode(fn.apply(a.get(i).asText())));
                } else {
                    rewriteStrings(a.get(i), fn);
                }
            }
        }
    }

    /** The child object {@code key}, created (or replacing a non-object) when absent. */
    static ObjectNode object(ObjectNode parent, String key) {
        JsonNode child = parent.get(key);
        if (child instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(key);
    }

    /** The child list {@code key}, created (or replacing a non-list) when absent. */
    static ArrayNode array(ObjectNode parent, String key) {
        JsonNode child = parent.get(key);
        if (child instanceof ArrayNode a) {
            return a;
        }
        return parent.putArray(key);
    }

    /** {@code parent.key[i]} path text used in messages. */
    static String path(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String path(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
