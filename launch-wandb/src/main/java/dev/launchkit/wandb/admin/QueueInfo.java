package dev.launchkit.wandb.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A queue as W&B describes it ({@code GetRunQueueMetadata}, {@code GetDefaultResourceConfig}).
 *
 * @param id                 the queue id
 * @param name               the queue name
 * @param access             {@code PROJECT} or {@code USER}
 * @param prioritizationMode {@code V0} or {@code DISABLED}
 * @param resource           the resource type of its config; empty without one
 * @param config             its config ({@code {"resource_args": {...}}}); empty object without one
 * @param templateVariables  the template variables of the config
 */
public record QueueInfo(String id, String name, String access, String prioritizationMode, String resource,
                        ObjectNode config, List<TemplateVariable> templateVariables) {
    public QueueInfo {
        config = config.deepCopy();
        templateVariables = List.copyOf(templateVariables);
    }

    /** The config for the queue's resource, without the wrapper (what users pasted). */
    public ObjectNode resourceConfig() {
        return config.path("resource_args").path(resource).isObject()
                ? ((ObjectNode) config.path("resource_args").path(resource)).deepCopy() : config.objectNode();
    }
}
