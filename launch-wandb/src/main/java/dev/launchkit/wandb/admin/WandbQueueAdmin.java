package dev.launchkit.wandb.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Queue administration for embedders, the W&B "create a queue" flow as code: create, upsert and delete queues with
 * a resource config (e.g. the Kubernetes Job spec of the seed's {@code queue-k8s-job.yaml}) and template
 * variables, and push items with a priority and template variable values.
 *
 * <pre>{@code
 * WandbQueueAdmin admin = session.admin();          // or new WandbQueueAdmin(client, "my-team")
 * admin.create(QueueDefinition.kubernetes("k8s-test", jobSpec)
 *         .withTemplateVariable(TemplateVariable.integer("gpus", 0, 4, 0)).withPriorities());
 * admin.push("k8s-test", spec, Priority.HIGH, Map.of("gpus", 2));
 * }</pre>
 *
 * <p>Operations: {@code CreateDefaultResourceConfig} + {@code CreateRunQueue} ({@link #create}),
 * {@code upsertRunQueue} ({@link #upsert}), {@code GetRunQueueMetadata} + {@code GetDefaultResourceConfig}
 * ({@link #describe}), {@code DeleteRunQueue}, {@code pushToRunQueueByName}, {@code GetRunQueueItems},
 * {@code GetRunQueueItem}, {@code DeleteFromRunQueue}. Failures are {@link WandbException}s quoting the server.
 * Thread-safe.
 */
public final class WandbQueueAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WandbClient client;
    private final String entity;
    private final String project;

    /** Admin of the queues of {@code entity} in project {@code model-registry}. */
    public WandbQueueAdmin(WandbClient client, String entity) {
        this(client, entity, "model-registry");
    }

    public WandbQueueAdmin(WandbClient client, String entity, String project) {
        this.client = Objects.requireNonNull(client, "client");
        this.entity = Objects.requireNonNull(entity, "entity");
        this.project = Objects.requireNonNull(project, "project");
    }

    /**
     * Creates a queue: stores its resource config ({@code CreateDefaultResourceConfig}), then the queue
     * ({@code CreateRunQueue}, access {@code PROJECT}).
     *
     * @throws WandbException when W&B refuses (the queue exists already, the entity is unknown, ...)
     */
    public QueueInfo create(QueueDefinition definition) {
        ObjectNode vars = client.variables();
        vars.put("entityName", entity);
        vars.put("resource", definition.resource());
        vars.put("config", definition.wrappedConfig().toString());
        vars.put("templateVariables", templateVariablesJson(definition.templateVariables()));
        JsonNode config = client.execute(Operations.CREATE_DEFAULT_RESOURCE_CONFIG, vars)
                .path("createDefaultResourceConfig");
        String configId = config.path("defaultResourceConfigID").asText("");
        if (!config.path("success").asBoolean(false) || configId.isEmpty()) {
            throw new WandbException("CreateDefaultResourceConfig", "W&B did not store the resource config of queue "
                    + definition.name() + ": " + config);
        }
        ObjectNode q = client.variables();
        q.put("entity", entity);
        q.put("project", project);
        q.put("queueName", definition.name());
        q.put("access", "PROJECT");
        if (definition.prioritized()) {
            q.put("prioritizationMode", "V0");
        } else {
            q.putNull("prioritizationMode");
        }
        q.put("defaultResourceConfigID", configId);
        JsonNode created = client.execute(Operations.CREATE_RUN_QUEUE, q).path("createRunQueue");
        String id = created.path("queueID").asText("");
        if (!created.path("success").asBoolean(false) || id.isEmpty()) {
            throw new WandbException("CreateRunQueue", "W&B did not create queue " + definition.name() + " in "
                    + entity + "/" + project + " (does it exist already? use upsert)");
        }
        return new QueueInfo(id, definition.name(), "PROJECT", definition.prioritized() ? "V0" : "DISABLED",
                definition.resource(), definition.wrappedConfig(), definition.templateVariables());
    }

    /**
     * Creates the queue or replaces its config ({@code upsertRunQueue}).
     *
     * @throws WandbException listing W&B's config validation errors when it refuses the config
     */
    public QueueInfo upsert(QueueDefinition definition) {
        ObjectNode vars = client.variables();
        vars.put("entityName", entity);
        vars.put("projectName", project);
        vars.put("queueName", definition.name());
        vars.put("resourceType", definition.resource());
        vars.put("resourceConfig", definition.wrappedConfig().toString());
        vars.put("templateVariables", templateVariablesJson(definition.templateVariables()));
        if (definition.prioritized()) {
            vars.put("prioritizationMode", "V0");
        } else {
            vars.putNull("prioritizationMode");
        }
        if (definition.externalLinks().isEmpty()) {
            vars.putNull("externalLinks");
        } else {
            vars.put("externalLinks", JSON.valueToTree(definition.externalLinks()).toString());
        }
        JsonNode r = client.execute(Operations.UPSERT_RUN_QUEUE, vars).path("upsertRunQueue");
        if (!r.path("success").asBoolean(false)) {
            JsonNode errors = r.path("configSchemaValidationErrors");
            throw new WandbException("upsertRunQueue", "W&B refused the config of queue " + definition.name()
                    + (errors.isMissingNode() || errors.isNull() ? "" : ": " + errors));
        }
        return describe(definition.name()).orElseThrow(() -> new WandbException("upsertRunQueue", "queue "
                + definition.name() + " is missing right after upsertRunQueue succeeded"));
    }

    /** The queue's metadata and config; empty when it does not exist. */
    public Optional<QueueInfo> describe(String queueName) {
        JsonNode q = metadata(queueName);
        if (!q.isObject()) {
            return Optional.empty();
        }
        String configId = q.path("defaultResourceConfigID").asText("");
        String resource = "";
        ObjectNode config = client.variables();
        List<TemplateVariable> variables = new ArrayList<>();
        if (!configId.isEmpty() && !q.path("defaultResourceConfigID").isNull()) {
            ObjectNode vars = client.variables();
            vars.put("entityName", entity);
            vars.put("id", configId);
            JsonNode c = client.execute(Operations.GET_DEFAULT_RESOURCE_CONFIG, vars).path("entity")
                    .path("defaultResourceConfig");
            resource = c.path("resource").asText("");
            JsonNode cfg = jsonValue(c.path("config"));
            if (cfg.isObject()) {
                config = (ObjectNode) cfg;
            }
            for (JsonNode v : c.path("templateVariables")) {
                JsonNode schema = jsonValue(v.path("schema"));
                variables.add(new TemplateVariable(v.path("name").asText(),
                        schema.isObject() ? (ObjectNode) schema : client.variables()));
            }
        }
        return Optional.of(new QueueInfo(q.path("id").asText(), queueName, q.path("access").asText(""),
                q.path("prioritizationMode").asText("DISABLED"), resource, config, variables));
    }

    /** Deletes the queue ({@code DeleteRunQueue}); false when it did not exist. */
    public boolean delete(String queueName) {
        JsonNode q = metadata(queueName);
        if (!q.isObject()) {
            return false;
        }
        ObjectNode vars = client.variables();
        vars.put("id", q.path("id").asText());
        return client.execute(Operations.DELETE_RUN_QUEUE, vars).path("deleteRunQueues").path("success")
                .asBoolean(false);
    }

    /** Pushes an item with medium priority and no template variable values. */
    public PushedItem push(String queueName, LaunchSpec spec) {
        return push(queueName, spec, Priority.MEDIUM, Map.of());
    }

    /**
     * Pushes an item ({@code pushToRunQueueByName}). Template variable values are checked against the queue's
     * variables first, as the W&B CLI does: unknown names are refused, and integer and number variables are cast
     * ({@code "2"} → 2). The server checks ranges and choices.
     *
     * @throws IllegalArgumentException naming a value the queue does not accept
     * @throws WandbException when W&B refuses the item
     */
    public PushedItem push(String queueName, LaunchSpec spec, Priority priority, Map<String, ?> templateValues) {
        ObjectNode vars = client.variables();
        vars.put("entityName", entity);
        vars.put("projectName", project);
        vars.put("queueName", queueName);
        vars.put("runSpec", spec.toJson().toString());
        vars.put("priority", priority.value());
        if (templateValues.isEmpty()) {
            vars.putNull("templateVariableValues");
        } else {
            vars.put("templateVariableValues", castValues(queueName, templateValues).toString());
        }
        JsonNode r = client.execute(Operations.PUSH_TO_RUN_QUEUE_BY_NAME, vars).path("pushToRunQueueByName");
        String item = r.path("runQueueItemId").asText("");
        if (item.isEmpty()) {
            throw new WandbException("pushToRunQueueByName", "W&B did not accept the item for queue " + queueName);
        }
        Optional<LaunchSpec> merged = Optional.empty();
        if (r.hasNonNull("runSpec")) {
            try {
                merged = Optional.of(LaunchSpec.fromNode(r.get("runSpec")));
            } catch (IllegalArgumentException e) {
                merged = Optional.empty();
            }
        }
        return new PushedItem(item, merged);
    }

    private ObjectNode castValues(String queueName, Map<String, ?> values) {
        QueueInfo queue = describe(queueName).orElseThrow(() -> new IllegalArgumentException("queue " + queueName
                + " does not exist in " + entity + "/" + project));
        Map<String, TemplateVariable> known = new LinkedHashMap<>();
        queue.templateVariables().forEach(v -> known.put(v.name(), v));
        ObjectNode out = client.variables();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            TemplateVariable v = known.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException("Queue " + queueName + " does not support overriding " + e.getKey()
                        + (known.isEmpty() ? " (it has no template variables)" : "; its variables are "
                        + String.join(", ", known.keySet())));
            }
            String text = String.valueOf(e.getValue());
            try {
                switch (v.type()) {
                    case "integer" -> out.put(e.getKey(), Long.parseLong(text.strip()));
                    case "number" -> out.put(e.getKey(), Double.parseDouble(text.strip()));
                    default -> out.put(e.getKey(), text);
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("template variable " + e.getKey() + " of queue " + queueName
                        + " is a " + v.type() + ", not '" + text + "'");
            }
        }
        return out;
    }

    /** The ids of the first 100 items of the queue ({@code GetRunQueueItems}). */
    public List<String> itemIds(String queueName) {
        ObjectNode vars = queueVars(queueName);
        JsonNode edges = client.execute(Operations.GET_RUN_QUEUE_ITEMS, vars).path("project").path("runQueue")
                .path("runQueueItems").path("edges");
        List<String> out = new ArrayList<>();
        edges.forEach(e -> out.add(e.path("node").path("id").asText()));
        return out;
    }

    /** One item's state ({@code GetRunQueueItem}); empty when the queue or item does not exist. */
    public Optional<ItemInfo> item(String queueName, String itemId) {
        ObjectNode vars = queueVars(queueName);
        vars.put("itemId", itemId);
        JsonNode i = client.execute(Operations.GET_RUN_QUEUE_ITEM, vars).path("project").path("runQueue")
                .path("runQueueItem");
        if (!i.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new ItemInfo(i.path("id").asText(), i.path("state").asText(""),
                i.path("associatedRunId").isNull() ? "" : i.path("associatedRunId").asText("")));
    }

    /** Removes an item from the queue ({@code DeleteFromRunQueue}); false when W&B did not. */
    public boolean deleteItem(String queueName, String itemId) {
        JsonNode q = metadata(queueName);
        if (!q.isObject()) {
            return false;
        }
        ObjectNode vars = client.variables();
        vars.put("queueID", q.path("id").asText());
        vars.put("runQueueItemId", itemId);
        return client.execute(Operations.DELETE_FROM_RUN_QUEUE, vars).path("deleteFromRunQueue").path("success")
                .asBoolean(false);
    }

    private JsonNode metadata(String queueName) {
        return client.execute(Operations.GET_RUN_QUEUE_METADATA, queueVars(queueName)).path("project")
                .path("runQueue");
    }

    private ObjectNode queueVars(String queueName) {
        ObjectNode vars = client.variables();
        vars.put("projectName", project);
        vars.put("entityName", entity);
        vars.put("runQueue", queueName);
        return vars;
    }

    /** W&B's form: a JSON list of {@code {name, schema}} with the schema as a JSON string. */
    private static String templateVariablesJson(List<TemplateVariable> variables) {
        List<Map<String, String>> list = new ArrayList<>();
        for (TemplateVariable v : variables) {
            list.add(Map.of("name", v.name(), "schema", v.schema().toString()));
        }
        return JSON.valueToTree(list).toString();
    }

    private static JsonNode jsonValue(JsonNode node) {
        if (!node.isTextual()) {
            return node;
        }
        try {
            return JSON.readTree(node.asText());
        } catch (JsonProcessingException e) {
            return node;
        }
    }
}
