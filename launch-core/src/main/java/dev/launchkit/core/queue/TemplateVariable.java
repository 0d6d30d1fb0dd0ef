package dev.launchkit.core.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A queue template variable: a {@code {{name}}} placeholder in the queue's resource configuration, with the
 * JSON-schema subset W&B queues use ({@code type} string / integer / number, {@code minimum}, {@code maximum},
 * {@code enum}, {@code default}, {@code description}).
 *
 * <pre>{@code
 * TemplateVariable gpus = TemplateVariable.integer("gpus").minimum(1).maximum(4).defaultValue(1);
 * TemplateVariable tier = TemplateVariable.string("tier").allowed("small", "large");
 * TemplateVariable mem  = TemplateVariable.fromSchema("memory", "{\"type\":\"string\",\"default\":\"1Gi\"}");
 * }</pre>
 *
 * <p>Immutable; the builder-style methods return copies and check that the schema stays consistent (a default must
 * satisfy the bounds, bounds only apply to numbers).
 */
public final class TemplateVariable {
    /** The schema types W&B offers for template variables. */
    public enum Type {
        STRING, INTEGER, NUMBER;

        /** The JSON-schema word: {@code string}, {@code integer}, {@code number}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SCHEMA_KEYS = Set.of("type", "minimum", "maximum", "enum", "default",
            "description", "title");
    /** Names that can stand inside {@code {{...}}}. */
    static final String NAME_PATTERN = "[A-Za-z0-9_][A-Za-z0-9_.-]*";

    private final String name;
    private final Type type;
    private final String description;
    private final BigDecimal minimum;
    private final BigDecimal maximum;
    private final List<JsonNode> allowed;
    private final JsonNode defaultValue;

    private TemplateVariable(String name, Type type, String description, BigDecimal minimum, BigDecimal maximum,
                             List<JsonNode> allowed, JsonNode defaultValue) {
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException("template variable name '" + name + "' must start with a letter, "
                    + "digit or _ and contain only letters, digits, _, . and -");
        }
        this.name = name;
        this.type = Objects.requireNonNull(type, "type");
        this.description = description == null ? "" : description;
        this.minimum = minimum;
        this.maximum = maximum;
        this.allowed = List.copyOf(allowed);
        this.defaultValue = defaultValue;
        if ((minimum != null || maximum != null) && type == Type.STRING) {
            throw invalid("minimum and maximum apply to integer and number variables, not to strings");
        }
        if (minimum != null && maximum != null && minimum.compareTo(maximum) > 0) {
            throw invalid("minimum " + minimum.toPlainString() + " is above maximum " + maximum.toPlainString());
        }
        for (JsonNode v : this.allowed) {
            checkType(v, "enum value");
        }
        if (defaultValue != null) {
            try {
                validate(defaultValue);
            } catch (TemplateVariableException e) {
                throw invalid("the default does not satisfy the schema: " + e.getMessage());
            }
        }
    }

    /** A string variable without constraints. */
    public static TemplateVariable string(String name) {
        return new TemplateVariable(name, Type.STRING, "", null, null, List.of(), null);
    }

    /** An integer variable without constraints. */
    public static TemplateVariable integer(String name) {
        return new TemplateVariable(name, Type.INTEGER, "", null, null, List.of(), null);
    }

    /** A number (floating point) variable without constraints. */
    public static TemplateVariable number(String name) {
        return new TemplateVariable(name, Type.NUMBER, "", null, null, List.of(), null);
    }

    /**
     * A variable from a W&B schema: a JSON object, or a string holding one (as W&B stores it).
     *
     * @throws IllegalArgumentException naming the variable and the schema key at fault
     */
    public static TemplateVariable fromSchema(String name, JsonNode schema) {
        JsonNode s = schema;
        if (s != null && s.isTextual()) {
            try {
                s = JSON.readTree(s.asText());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("template variable '" + name + "': the schema is not valid JSON: "
                        + e.getOriginalMessage());
            }
        }
        try {
            return fromSchema(name, ConfigNode.of(s, "template variable '" + name + "'"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@link #fromSchema(String, JsonNode)} for a JSON string. */
    public static TemplateVariable fromSchema(String name, String schemaJson) {
        return fromSchema(name, NODES.textNode(schemaJson));
    }

    /**
     * A variable from a schema that came from a file, so errors name the file, line and key.
     *
     * @throws ConfigException naming the location and the problem
     */
    public static TemplateVariable fromSchema(String name, ConfigNode schema) {
        if (schema.isMissing() || !schema.json().isObject()) {
            throw schema.error("the schema of template variable '" + name + "' must be a mapping with at least "
                    + "'type' (string, integer or number)");
        }
        for (String key : schema.keys()) {
            if (!SCHEMA_KEYS.contains(key)) {
                throw schema.child(key).error("'" + key + "' is not a supported schema key; use type, minimum, "
                        + "maximum, enum, default, description");
            }
        }
        String typeWord = schema.optString("type").orElseThrow(() -> schema.child("type")
                .error("template variable '" + name + "' needs a type: string, integer or number"));
        Type type = switch (typeWord.toLowerCase(Locale.ROOT)) {
            case "string" -> Type.STRING;
            case "integer" -> Type.INTEGER;
            case "number", "float" -> Type.NUMBER;
            default -> throw schema.child("type").error("'" + typeWord + "' is not one of string, integer, number");
        };
        try {
            BigDecimal min = bound(schema.child("minimum"));
            BigDecimal max = bound(schema.child("maximum"));
            List<JsonNode> allowed = new ArrayList<>();
            JsonNode e = schema.child("enum").json();
            if (schema.has("enum")) {
                if (!e.isArray() || e.isEmpty()) {
                    throw schema.child("enum").error("expected a non-empty list of allowed values");
                }
                e.forEach(allowed::add);
            }
            JsonNode def = schema.has("default") ? schema.child("default").json() : null;
            return new TemplateVariable(name, type, schema.string("description", ""), min, max, allowed, def);
        } catch (IllegalArgumentException ex) {
            throw schema.error(ex.getMessage());
        }
    }

    private static BigDecimal bound(ConfigNode node) {
        if (node.isMissing()) {
            return null;
        }
        JsonNode n = node.json();
        if (!n.isNumber()) {
            throw node.error("expected a number, got " + n);
        }
        return n.decimalValue();
    }

    /** A copy with a lower bound (inclusive). */
    public TemplateVariable minimum(Number min) {
        return new TemplateVariable(name, type, description, decimal(min), maximum, allowed, defaultValue);
    }

    /** A copy with an upper bound (inclusive). */
    public TemplateVariable maximum(Number max) {
        return new TemplateVariable(name, type, description, minimum, decimal(max), allowed, defaultValue);
    }

    /** A copy that accepts only these values (JSON-schema {@code enum}). */
    public TemplateVariable allowed(Object... values) {
        List<JsonNode> list = new ArrayList<>();
        for (Object v : values) {
            list.add(JSON.valueToTree(v));
        }
        return new TemplateVariable(name, type, description, minimum, maximum, list, defaultValue);
    }

    /** A copy with a default, used when a push gives no value. */
    public TemplateVariable defaultValue(Object value) {
        return new TemplateVariable(name, type, description, minimum, maximum, allowed, JSON.valueToTree(value));
    }

    /** A copy with a description shown to users. */
    public TemplateVariable description(String text) {
        return new TemplateVariable(name, type, text, minimum, maximum, allowed, defaultValue);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    /** The description; empty when none. */
    public String description() {
        return description;
    }

    public Optional<BigDecimal> minimum() {
        return Optional.ofNullable(minimum);
    }

    public Optional<BigDecimal> maximum() {
        return Optional.ofNullable(maximum);
    }

    /** The allowed values; empty when any value of the type is allowed. */
    public List<JsonNode> allowed() {
        return allowed.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    public Optional<JsonNode> defaultValue() {
        return Optional.ofNullable(defaultValue).map(JsonNode::deepCopy);
    }

    /** The JSON schema, as W&B stores it in {@code templateVariables[].schema}. */
    public ObjectNode schema() {
        ObjectNode s = NODES.objectNode();
        s.put("type", type.wireName());
        if (minimum != null) {
            s.put("minimum", minimum);
        }
        if (maximum != null) {
            s.put("maximum", maximum);
        }
        if (!allowed.isEmpty()) {
            ArrayNode a = s.putArray("enum");
            allowed.forEach(v -> a.add(v.deepCopy()));
        }
        if (defaultValue != null) {
            s.set("default", defaultValue.deepCopy());
        }
        if (!description.isEmpty()) {
            s.put("description", description);
        }
        return s;
    }

    /**
     * Checks a value against the schema and returns it in its typed form: integers and numbers given as text
     * ({@code "4"}, as {@code --set-var} passes them) become numbers; a number given for a string variable becomes
     * its text.
     *
     * @param value a String, Number, Boolean or JsonNode
     * @throws TemplateVariableException naming this variable, the value and the rule it breaks
     */
    public JsonNode validate(Object value) {
        JsonNode v = value instanceof JsonNode n ? n : JSON.valueToTree(value);
        JsonNode typed = checkType(v, "value");
        if (typed.isNumber()) {
            BigDecimal d = typed.decimalValue();
            if (minimum != null && d.compareTo(minimum) < 0) {
                throw error(show(typed) + " is below the minimum " + minimum.toPlainString());
            }
            if (maximum != null && d.compareTo(maximum) > 0) {
                throw error(show(typed) + " is above the maximum " + maximum.toPlainString());
            }
        }
        if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> same(checkType(a, "enum value"), typed))) {
            throw error(show(typed) + " is not one of " + allowed.stream().map(TemplateVariable::show)
                    .collect(Collectors.joining(", ")));
        }
        return typed;
    }

    private JsonNode checkType(JsonNode v, String what) {
        switch (type) {
            case STRING -> {
                if (v.isTextual()) {
                    return v;
                }
                if (v.isNumber()) {
                    return NODES.textNode(v.isIntegralNumber() ? v.bigIntegerValue().toString()
                            : v.decimalValue().toPlainString());
                }
                throw error(what + " must be a string, got " + show(v));
            }
            case INTEGER -> {
                BigDecimal d = numeric(v);
                if (d == null) {
                    throw error(what + " must be an integer, got " + show(v));
                }
                try {
                    BigInteger i = d.toBigIntegerExact();
                    return NODES.numberNode(i);
                } catch (ArithmeticException e) {
                    throw error(what + " must be an integer, got " + show(v));
                }
            }
            default -> {
                BigDecimal d = numeric(v);
                if (d == null) {
                    throw error(what + " must be a number, got " + show(v));
                }
                return v.isNumber() ? v : NODES.numberNode(d);
            }
        }
    }

    private static BigDecimal numeric(JsonNode v) {
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static String show(JsonNode v) {
        return v.isTextual() ? "'" + v.asText() + "'" : v.toString();
    }

    private static BigDecimal decimal(Number n) {
        return n == null ? null : new BigDecimal(n.toString());
    }

    private TemplateVariableException error(String message) {
        return new TemplateVariableException(name, "template variable '" + name + "': " + message);
    }

    private IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException("template variable '" + name + "': " + message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemplateVariable t && t.name.equals(name) && t.schema().equals(schema());
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, schema());
    }

    /** {@code gpus: {"type":"integer",...}}. */
    @Override
    public String toString() {
        return name + ": " + schema();
    }
}
