package dev.launchkit.core.queue.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.SpecValidator;
import dev.launchkit.core.queue.TemplateVariableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one queue file holds: a launch spec, either alone or in an envelope
 * {@code {priority: high, template_variables: {gpus: 2}, spec: {...}}}.
 *
 * @param spec      the spec node, with line information
 * @param priority  the envelope's priority, medium when none
 * @param values    the envelope's template variable values (the spec's own {@code template_variables} are merged
 *                  under them by {@link dev.launchkit.core.queue.QueueDefinition#merge})
 * @param root      the whole file, for locating template variable errors
 */
record ItemContent(ConfigNode spec, Priority priority, Map<String, JsonNode> values, ConfigNode root) {
    static final List<String> ENVELOPE_KEYS = List.of("spec", "priority", "template_variables");

    /**
     * Reads a parsed file.
     *
     * @throws ConfigException naming the file, line and key of a wrong envelope key or spec field
     */
    static ItemContent from(ConfigNode root) {
        if (root.isMissing() || !root.json().isObject()) {
            throw root.error("a queue file must hold a launch spec (a mapping of fields such as docker, entity, "
                    + "project, overrides), or an envelope with spec, priority and template_variables");
        }
        if (!root.has("spec")) {
            SpecValidator.validate(root);
            return new ItemContent(root, Priority.MEDIUM, Map.of(), root);
        }
        for (String key : root.keys()) {
            if (!ENVELOPE_KEYS.contains(key)) {
                throw root.child(key).error("'" + key + "' is not an envelope key; a file with 'spec' may also have "
                        + "only priority and template_variables (launch spec fields go under spec)");
            }
        }
        ConfigNode spec = root.child("spec");
        SpecValidator.validate(spec);
        Priority priority = Priority.MEDIUM;
        ConfigNode p = root.child("priority");
        if (!p.isMissing()) {
            if (!p.json().isValueNode()) {
                throw p.error("expected critical, high, medium or low, got a " + (p.json().isArray() ? "list"
                        : "mapping"));
            }
            try {
                priority = Priority.parse(p.json().asText());
            } catch (IllegalArgumentException e) {
                throw p.error(e.getMessage());
            }
        }
        ConfigNode tv = root.child("template_variables");
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (!tv.isMissing()) {
            ObjectNode o = tv.object();
            for (String k : tv.keys()) {
                if (o.get(k).isContainerNode()) {
                    throw tv.child(k).error("a template variable value must be a string or a number");
                }
                values.put(k, o.get(k));
            }
        }
        return new ItemContent(spec, priority, values, root);
    }

    /** The spec as a JSON object. */
    ObjectNode specJson() {
        return (ObjectNode) spec.json();
    }

    /** A template variable error, located at the value in this file when the file gave one. */
    ConfigException locate(TemplateVariableException e) {
        ConfigNode at = root.child("template_variables").child(e.variable());
        if (at.isMissing()) {
            at = spec.child("template_variables").child(e.variable());
        }
        return at.isMissing() ? new ConfigException(root.location() + ": " + e.getMessage()) : at.error(e.getMessage());
    }
}
