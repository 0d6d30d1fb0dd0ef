package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A queue config template variable: a {@code {{name}}} placeholder in the queue's resource config, resolved by the
 * server when an item is pushed, with a JSON-Schema that constrains its value (W&B {@code templateVariables}).
 *
 * @param name   the placeholder name
 * @param schema e.g. {@code {"type":"integer","minimum":1,"maximum":4,"default":1}}
 */
public record TemplateVariable(String name, JsonNode schema) {
    public TemplateVariable {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
    }
}
