package dev.launchkit.wandb.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A queue config template variable: a {@code {{name}}} placeholder in the queue's resource config that submitters
 * fill in (W&B resolves it on push), with a JSON-Schema for its value.
 *
 * <pre>{@code
 * TemplateVariable.integer("gpus", 1, 4, 1)       // {"type":"integer","minimum":1,"maximum":4,"default":1}
 * TemplateVariable.choice("size", "small", "large")
 * }</pre>
 *
 * @param name   the placeholder name
 * @param schema the JSON-Schema ({@code type} integer, number or string; {@code minimum}, {@code maximum},
 *               {@code enum}, {@code default})
 */
public record TemplateVariable(String name, ObjectNode schema) {
    public TemplateVariable {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a template variable needs a name");
        }
        schema = Objects.requireNonNull(schema, "schema").deepCopy();
    }

    /** An integer between {@code min} and {@code max} (inclusive), with a default. */
    public static TemplateVariable integer(String name, long min, long max, long defaultValue) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("type", "integer");
        s.put("minimum", min);
        s.put("maximum", max);
        s.put("default", defaultValue);
        return new TemplateVariable(name, s);
    }

    /** A number between {@code min} and {@code max} (inclusive), with a default. */
    public static TemplateVariable number(String name, double min, double max, double defaultValue) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("type", "number");
        s.put("minimum", min);
        s.put("maximum", max);
        s.put("default", defaultValue);
        return new TemplateVariable(name, s);
    }

    /** A string that must be one of {@code choices}; the first is the default. */
    public static TemplateVariable choice(String name, String... choices) {
        if (choices.length == 0) {
            throw new IllegalArgumentException("template variable " + name + " needs at least one choice");
        }
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("type", "string");
        s.set("enum", s.arrayNode().addAll(List.of(choices).stream().map(s::textNode).toList()));
        s.put("default", choices[0]);
        return new TemplateVariable(name, s);
    }

    /** The schema's {@code type} ({@code string} when absent). */
    public String type() {
        return schema.path("type").asText("string");
    }
}
