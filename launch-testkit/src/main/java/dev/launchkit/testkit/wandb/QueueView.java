package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A run queue as the {@link FakeWandbServer} holds it.
 *
 * @param id                 the queue id
 * @param entity             the owning entity
 * @param project            the project ({@code model-registry})
 * @param name               the queue name
 * @param access             {@code PROJECT} or {@code USER}
 * @param prioritizationMode {@code V0} (pop by priority) or empty (first in, first out)
 * @param resource           the resource type of its default config ({@code kubernetes}), empty without one
 * @param config             the default resource config ({@code {"resource_args": {...}}}), empty object without one
 * @param templateVariables  the template variables of the config
 * @param externalLinks      the external links ({@code upsertRunQueue}), empty object without any
 */
public record QueueView(String id, String entity, String project, String name, String access,
                        String prioritizationMode, String resource, JsonNode config,
                        List<TemplateVariable> templateVariables, JsonNode externalLinks) {
    public QueueView {
        templateVariables = List.copyOf(templateVariables);
    }
}
