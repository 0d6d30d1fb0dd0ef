package dev.launchkit.wandb.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a queue should look like: name, resource type, the resource config (for {@code kubernetes}, the Job or
 * custom-resource fragment users paste into the W&B UI, e.g. the seed's {@code queue-k8s-job.yaml}), template
 * variables, priority ordering and external links.
 *
 * <pre>{@code
 * QueueDefinition.kubernetes("k8s-test", jobSpec)
 *         .withTemplateVariable(TemplateVariable.integer("gpus", 0, 4, 0))
 *         .withPriorities();
 * }</pre>
 *
 * @param name              the queue name
 * @param resource          {@code kubernetes}, {@code local-container}, {@code local-process}, {@code sagemaker}
 *                          or {@code gcp-vertex}
 * @param config            the resource config, without the {@code resource_args} wrapper
 * @param templateVariables the {@code {{name}}} placeholders the config uses
 * @param prioritized       whether items pop by priority ({@code prioritizationMode: V0})
 * @param externalLinks     links shown on the queue page (label to URL)
 */
public record QueueDefinition(String name, String resource, ObjectNode config, List<TemplateVariable> templateVariables,
                              boolean prioritized, Map<String, String> externalLinks) {
    public QueueDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(resource, "resource");
        config = Objects.requireNonNull(config, "config").deepCopy();
        templateVariables = List.copyOf(templateVariables);
        externalLinks = Map.copyOf(externalLinks);
    }

    /** A Kubernetes queue whose items run {@code jobSpec} (a batch/v1 Job or custom resource fragment). */
    public static QueueDefinition kubernetes(String name, ObjectNode jobSpec) {
        return new QueueDefinition(name, "kubernetes", jobSpec, List.of(), false, Map.of());
    }

    /** A copy with one more template variable. */
    public QueueDefinition withTemplateVariable(TemplateVariable variable) {
        List<TemplateVariable> vars = new ArrayList<>(templateVariables);
        vars.add(variable);
        return new QueueDefinition(name, resource, config, vars, prioritized, externalLinks);
    }

    /** A copy whose items pop by priority. */
    public QueueDefinition withPriorities() {
        return new QueueDefinition(name, resource, config, templateVariables, true, externalLinks);
    }

    /** A copy with one more external link. */
    public QueueDefinition withExternalLink(String label, String url) {
        Map<String, String> links = new LinkedHashMap<>(externalLinks);
        links.put(label, url);
        return new QueueDefinition(name, resource, config, templateVariables, prioritized, links);
    }

    /** The config as W&B stores it: {@code {"resource_args": {<resource>: config}}}. */
    public ObjectNode wrappedConfig() {
        ObjectNode out = config.objectNode();
        out.putObject("resource_args").set(resource, config.deepCopy());
        return out;
    }
}
