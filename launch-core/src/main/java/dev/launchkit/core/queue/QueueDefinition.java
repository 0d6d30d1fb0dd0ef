package dev.launchkit.core.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A queue and the configuration it carries (the W&B "create a queue" form): name, entity, resource type, the
 * resource configuration (for Kubernetes a Job or custom-resource spec fragment), template variables and the
 * prioritization mode.
 *
 * <pre>{@code
 * QueueDefinition q = QueueDefinition.of("k8s-test", "kubernetes", jobFragment,
 *                 List.of(TemplateVariable.integer("gpus").minimum(1).maximum(4).defaultValue(1)))
 *         .withEntity("my-team");
 * MergedSpec merged = q.merge(spec, Map.of("gpus", 2));   // spec.resource_args.kubernetes = fragment with 2 filled in
 * }</pre>
 *
 * <p>In a file ({@code queue.yaml} of a directory queue):
 * <pre>
 * entity: my-team
 * resource: kubernetes
 * prioritization_mode: V0          # or disabled
 * template_variables:
 *   gpus: {type: integer, minimum: 1, maximum: 4, default: 1}
 * config:                          # the resource configuration; quote placeholders in YAML: "{{gpus}}"
 *   metadata: {namespace: wandb}
 * </pre>
 *
 * <p>A definition with an empty {@code resource} is a bare queue: items bring their own {@code resource} and
 * {@code resource_args}, and nothing is merged.
 *
 * @param name              the queue name: letters, digits, {@code . _ -}
 * @param entity            the owning entity; empty when none
 * @param resource          the runner type the queue's items run on ({@code kubernetes}, {@code local-process}, ...);
 *                          empty for a bare queue
 * @param config            the resource configuration, with {@code {{var}}} placeholders
 * @param templateVariables the variables the placeholders refer to
 * @param prioritization    whether items pop by priority
 */
public record QueueDefinition(String name, String entity, String resource, ObjectNode config,
                              List<TemplateVariable> templateVariables, PrioritizationMode prioritization) {
    /** The keys of a queue file. */
    public static final List<String> FILE_KEYS = List.of("name", "entity", "resource", "prioritization_mode",
            "template_variables", "config");
    private static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

    public QueueDefinition {
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException("queue name '" + name + "' must start with a letter or digit and "
                    + "contain only letters, digits, '.', '_' and '-' (at most 128)");
        }
        entity = entity == null ? "" : entity;
        resource = resource == null ? "" : resource.trim();
        if (!resource.isEmpty() && !resource.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("queue '" + name + "': resource '" + resource + "' must be a type "
                    + "word such as kubernetes or local-process");
        }
        config = config == null ? JsonNodeFactory.instance.objectNode() : config.deepCopy();
        templateVariables = List.copyOf(templateVariables == null ? List.of() : templateVariables);
        prioritization = prioritization == null ? PrioritizationMode.V0 : prioritization;
        if (resource.isEmpty() && !config.isEmpty()) {
            throw new IllegalArgumentException("queue '" + name + "' has a resource configuration but no resource "
                    + "type; set resource (for example kubernetes)");
        }
        Set<String> declared = new HashSet<>();
        for (TemplateVariable v : templateVariables) {
            if (!declared.add(v.name())) {
                throw new IllegalArgumentException("queue '" + name + "' declares template variable '" + v.name()
                        + "' twice");
            }
        }
        for (String used : Placeholders.names(config)) {
            if (!declared.contains(used)) {
                throw new IllegalArgumentException("queue '" + name + "': the resource configuration uses {{" + used
                        + "}}, but the queue declares no template variable '" + used + "'; add it to "
                        + "template_variables with its type");
            }
        }
    }

    /** A queue with a resource configuration, no entity, no template variables, prioritization on. */
    public static QueueDefinition of(String name, String resource, ObjectNode config) {
        return new QueueDefinition(name, "", resource, config, List.of(), PrioritizationMode.V0);
    }

    /**
     * A queue with a resource configuration whose {@code {{placeholders}}} the given variables describe, no entity,
     * prioritization on.
     */
    public static QueueDefinition of(String name, String resource, ObjectNode config,
                                     List<TemplateVariable> templateVariables) {
        return new QueueDefinition(name, "", resource, config, templateVariables, PrioritizationMode.V0);
    }

    /** A bare queue: items carry their own resource and resource args. */
    public static QueueDefinition bare(String name) {
        return new QueueDefinition(name, "", "", null, List.of(), PrioritizationMode.V0);
    }

    /** The resource configuration (a copy). */
    @Override
    public ObjectNode config() {
        return config.deepCopy();
    }

    /** Whether the queue has no resource type and merges nothing into items. */
    public boolean isBare() {
        return resource.isEmpty();
    }

    public QueueDefinition withEntity(String newEntity) {
        return new QueueDefinition(name, newEntity, resource, config, templateVariables, prioritization);
    }

    public QueueDefinition withResource(String newResource, ObjectNode newConfig) {
        return new QueueDefinition(name, entity, newResource, newConfig, templateVariables, prioritization);
    }

    public QueueDefinition withTemplateVariables(List<TemplateVariable> variables) {
        return new QueueDefinition(name, entity, resource, config, variables, prioritization);
    }

    public QueueDefinition withPrioritization(PrioritizationMode mode) {
        return new QueueDefinition(name, entity, resource, config, templateVariables, mode);
    }

    /** A copy under another name (same configuration). */
    public QueueDefinition withName(String newName) {
        return new QueueDefinition(newName, entity, resource, config, templateVariables, prioritization);
    }

    public Optional<TemplateVariable> templateVariable(String variable) {
        return templateVariables.stream().filter(v -> v.name().equals(variable)).findFirst();
    }

    /**
     * Checks template variable values against the schemas and fills in defaults, as the W&B server does on push.
     *
     * @param values values by variable name (String, Number, Boolean or JsonNode); text is cast for numeric types
     * @return a typed value for every declared variable
     * @throws TemplateVariableException for an unknown name, a missing value without default, a wrong type, a value
     *                                   out of range or not in the enum; the message names the variable
     */
    public Map<String, JsonNode> resolveValues(Map<String, ?> values) {
        Map<String, ?> given = values == null ? Map.of() : values;
        for (String key : given.keySet()) {
            if (templateVariable(key).isEmpty()) {
                throw new TemplateVariableException(key, "template variable '" + key + "': queue '" + name
                        + "' does not support overriding '" + key + "'; "
                        + (templateVariables.isEmpty() ? "it has no template variables"
                        : "its template variables are " + templateVariables.stream().map(TemplateVariable::name)
                                .collect(Collectors.joining(", "))));
            }
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (TemplateVariable v : templateVariables) {
            Object value = given.get(v.name());
            if (value == null) {
                JsonNode def = v.defaultValue().orElseThrow(() -> new TemplateVariableException(v.name(),
                        "template variable '" + v.name() + "' has no value and no default; pass a value for it ("
                                + v.type().wireName() + ") when pushing to queue '" + name + "'"));
                out.put(v.name(), v.validate(def));
            } else {
                out.put(v.name(), v.validate(value));
            }
        }
        return out;
    }

    /**
     * Merges this queue's configuration into an item's spec the way the W&B server does on push:
     * <ol>
     *   <li>a {@code template_variables} object in the spec is removed and its values used under the explicit
     *       {@code values} (if the spec also has {@code resource_args}, those are dropped with a warning, as the W&B
     *       client does);</li>
     *   <li>when the spec carries no {@code resource_args} of its own, the values are validated, {@code {{var}}}
     *       placeholders filled, and the result becomes {@code resource_args = {<resource>: config}} with
     *       {@code resource = <resource>};</li>
     *   <li>an empty {@code entity} is filled with the queue's.</li>
     * </ol>
     *
     * @throws TemplateVariableException when a value does not fit its variable
     */
    public MergedSpec merge(LaunchSpec spec, Map<String, ?> values) {
        ObjectNode json = spec.toJson();
        List<String> warnings = new ArrayList<>();
        Map<String, Object> all = new LinkedHashMap<>();
        JsonNode inSpec = json.remove("template_variables");
        if (inSpec != null && inSpec.isObject()) {
            inSpec.properties().forEach(e -> all.put(e.getKey(), e.getValue()));
            if (hasOwnResourceArgs(json)) {
                json.remove("resource_args");
                warnings.add("the item has both template_variables and resource_args; resource_args was dropped "
                        + "and the queue's configuration used");
            }
        }
        if (values != null) {
            all.putAll(values);
        }
        if (hasOwnResourceArgs(json)) {
            if (!all.isEmpty()) {
                warnings.add("template variable values were ignored: the item carries its own resource_args");
            }
            if (!json.hasNonNull("resource") && !resource.isEmpty()) {
                json.put("resource", resource);
            }
        } else if (!resource.isEmpty()) {
            Map<String, JsonNode> resolved = resolveValues(all);
            ObjectNode args = json.putObject("resource_args");
            args.set(resource, Placeholders.fill(config, resolved));
            json.put("resource", resource);
        } else if (!all.isEmpty()) {
            resolveValues(all);
        }
        if (!entity.isEmpty() && json.path("entity").asText("").isBlank()) {
            json.put("entity", entity);
        }
        return new MergedSpec(LaunchSpec.of(json), warnings);
    }

    private static boolean hasOwnResourceArgs(ObjectNode json) {
        JsonNode args = json.path("resource_args");
        return args.isObject() && !args.isEmpty();
    }

    /** The W&B stored form of the resource configuration: {@code {"resource_args": {<resource>: config}}}. */
    public ObjectNode wandbResourceConfig() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("resource_args").set(resource, config.deepCopy());
        return out;
    }

    /** The file form (see the class comment), for {@code queue.yaml}. */
    public ObjectNode toJson() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("name", name);
        if (!entity.isEmpty()) {
            out.put("entity", entity);
        }
        out.put("resource", resource);
        out.put("prioritization_mode", prioritization.wireName());
        if (!templateVariables.isEmpty()) {
            ObjectNode vars = out.putObject("template_variables");
            templateVariables.forEach(v -> vars.set(v.name(), v.schema()));
        }
        out.set("config", config.deepCopy());
        return out;
    }

    /**
     * Reads the file form. {@code template_variables} may be a mapping of name to schema, or W&B's list of
     * {@code {name, schema}} (schema as an object or a JSON string).
     *
     * @param node        the parsed file, with line information
     * @param defaultName the name to use when the file has none (the folder name); a different {@code name} in the
     *                    file is an error
     * @throws ConfigException naming the file, line and key of the first problem
     */
    public static QueueDefinition parse(ConfigNode node, String defaultName) {
        if (node.isMissing()) {
            return bare(defaultName);
        }
        node.object();
        for (String key : node.keys()) {
            if (!FILE_KEYS.contains(key)) {
                throw node.child(key).error("'" + key + "' is not a queue key; use " + String.join(", ", FILE_KEYS));
            }
        }
        String name = node.optString("name").orElse(defaultName);
        if (!name.equals(defaultName)) {
            throw node.child("name").error("the file names queue '" + name + "' but belongs to queue '"
                    + defaultName + "'; remove name or make them match");
        }
        PrioritizationMode mode;
        try {
            mode = PrioritizationMode.parse(node.string("prioritization_mode", "V0"));
        } catch (IllegalArgumentException e) {
            throw node.child("prioritization_mode").error(e.getMessage());
        }
        List<TemplateVariable> vars = new ArrayList<>();
        ConfigNode tv = node.child("template_variables");
        JsonNode tvJson = tv.json();
        if (!tv.isMissing() && tvJson.isArray()) {
            for (int i = 0; i < tv.size(); i++) {
                ConfigNode entry = tv.element(i);
                String varName = entry.requireString("name");
                ConfigNode schema = entry.child("schema");
                vars.add(schema.json().isTextual() ? parseSchemaString(varName, schema)
                        : TemplateVariable.fromSchema(varName, schema));
            }
        } else if (!tv.isMissing()) {
            tv.object();
            for (String varName : tv.keys()) {
                vars.add(TemplateVariable.fromSchema(varName, tv.child(varName)));
            }
        }
        ObjectNode config = node.child("config").object();
        try {
            return new QueueDefinition(name, node.string("entity", ""), node.string("resource", ""), config, vars,
                    mode);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static TemplateVariable parseSchemaString(String name, ConfigNode schema) {
        try {
            return TemplateVariable.fromSchema(name, schema.json());
        } catch (IllegalArgumentException e) {
            throw schema.error(e.getMessage());
        }
    }

    /** For {@code Objects} users: the definitions are equal when every field is. */
    @Override
    public boolean equals(Object o) {
        return o instanceof QueueDefinition d && d.name.equals(name) && d.entity.equals(entity)
                && d.resource.equals(resource) && d.config.equals(config)
                && d.templateVariables.equals(templateVariables) && d.prioritization == prioritization;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, entity, resource, config, templateVariables, prioritization);
    }
}
