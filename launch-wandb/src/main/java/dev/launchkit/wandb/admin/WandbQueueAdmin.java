package dev.launchkit.wandb.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.queue.InvalidItemException;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueAdmin;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import dev.launchkit.core.queue.TemplateVariable;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import dev.launchkit.wandb.client.WandbGraphqlException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The core {@link QueueAdmin} over W&B: the "create a queue" flow as code, for the queues of one entity in project
 * {@code model-registry}.
 *
 * <pre>{@code
 * QueueAdmin admin = session.admin();                     // or new WandbQueueAdmin(client, "my-team")
 * admin.create(QueueDefinition.of("k8s-test", "kubernetes", jobSpec,
 *         List.of(TemplateVariable.integer("gpus").minimum(0).maximum(4).defaultValue(0))));
 * String item = admin.push("k8s-test", spec, Priority.HIGH, Map.of("gpus", 2));
 * admin.status("k8s-test", item);                          // PENDING, then RUNNING (acked), or FAILED
 * }</pre>
 *
 * <p>Operations: {@link #create} = {@code CreateDefaultResourceConfig} + {@code CreateRunQueue}; {@link #update} and
 * {@link #upsert} = {@code upsertRunQueue}; {@link #get} = {@code GetRunQueueMetadata} +
 * {@code GetDefaultResourceConfig}; {@link #list} = {@code ProjectRunQueues}; {@link #delete} =
 * {@code DeleteRunQueue}; {@link #push} = {@code pushToRunQueueByName}; {@link #pending} = {@code GetRunQueueItems};
 * {@link #status} = {@code GetRunQueueItem}; {@link #deleteItem} = {@code DeleteFromRunQueue}.
 *
 * <p>Template variable values are checked against the queue's variables before pushing (unknown names, types,
 * ranges, choices: {@link dev.launchkit.core.queue.TemplateVariableException}); the server resolves the
 * placeholders. Where W&B differs from the embedded backends: {@link #delete} leaves the decision about running items
 * to the server (W&B allows it); {@link #status} knows W&B's item states only (no end time, no run state: an acked
 * item stays RUNNING, because its outcome follows the W&B run). Network and server failures are
 * {@link QueueException}s quoting W&B. Thread-safe.
 */
public final class WandbQueueAdmin implements QueueAdmin {
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

    /** The entity whose queues this admin manages. */
    public String entity() {
        return entity;
    }

    @Override
    public QueueDefinition create(QueueDefinition definition) {
        QueueDefinition def = own(definition);
        if (exists(def.name())) {
            throw new IllegalStateException("queue " + def.name() + " exists already in " + entity + "/" + project
                    + "; use upsert to change it");
        }
        ObjectNode q = client.variables();
        q.put("entity", entity);
        q.put("project", project);
        q.put("queueName", def.name());
        q.put("access", "PROJECT");
        if (def.prioritization() == PrioritizationMode.V0) {
            q.put("prioritizationMode", "V0");
        } else {
            q.putNull("prioritizationMode");
        }
        if (def.isBare()) {
            q.putNull("defaultResourceConfigID");
        } else {
            ObjectNode vars = client.variables();
            vars.put("entityName", entity);
            vars.put("resource", def.resource());
            vars.put("config", def.wandbResourceConfig().toString());
            vars.put("templateVariables", templateVariablesJson(def.templateVariables()));
            JsonNode config = call(() -> client.execute(Operations.CREATE_DEFAULT_RESOURCE_CONFIG, vars))
                    .path("createDefaultResourceConfig");
            String configId = config.path("defaultResourceConfigID").asText("");
            if (!config.path("success").asBoolean(false) || configId.isEmpty()) {
                throw new QueueException("W&B did not store the resource config of queue " + def.name() + ": " + config);
            }
            q.put("defaultResourceConfigID", configId);
        }
        JsonNode created = call(() -> client.execute(Operations.CREATE_RUN_QUEUE, q)).path("createRunQueue");
        if (!created.path("success").asBoolean(false) || created.path("queueID").asText("").isEmpty()) {
            throw new IllegalStateException("W&B did not create queue " + def.name() + " in " + entity + "/" + project
                    + " (does it exist already? use upsert)");
        }
        return def;
    }

    @Override
    public QueueDefinition update(QueueDefinition definition) {
        QueueDefinition def = own(definition);
        if (!exists(def.name())) {
            throw new IllegalArgumentException("there is no queue " + def.name() + " in " + entity + "/" + project
                    + "; create it first");
        }
        return upsert(def, Map.of());
    }

    @Override
    public QueueDefinition upsert(QueueDefinition definition) {
        return upsert(definition, Map.of());
    }

    /**
     * Like {@link #upsert(QueueDefinition)}, with links shown on the queue's page (label to URL). A bare definition
     * (no resource) creates a missing queue and leaves an existing one as it is: {@code upsertRunQueue} needs a
     * resource type.
     *
     * @throws IllegalArgumentException quoting W&B's config validation errors when it refuses the config
     */
    public QueueDefinition upsert(QueueDefinition definition, Map<String, String> externalLinks) {
        QueueDefinition def = own(definition);
        if (def.isBare()) {
            return exists(def.name()) ? get(def.name()).orElse(def) : create(def);
        }
        ObjectNode vars = client.variables();
        vars.put("entityName", entity);
        vars.put("projectName", project);
        vars.put("queueName", def.name());
        vars.put("resourceType", def.resource());
        vars.put("resourceConfig", def.wandbResourceConfig().toString());
        vars.put("templateVariables", templateVariablesJson(def.templateVariables()));
        if (def.prioritization() == PrioritizationMode.V0) {
            vars.put("prioritizationMode", "V0");
        } else {
            vars.putNull("prioritizationMode");
        }
        if (externalLinks.isEmpty()) {
            vars.putNull("externalLinks");
        } else {
            vars.put("externalLinks", JSON.valueToTree(externalLinks).toString());
        }
        JsonNode r = call(() -> client.execute(Operations.UPSERT_RUN_QUEUE, vars)).path("upsertRunQueue");
        if (!r.path("success").asBoolean(false)) {
            JsonNode errors = r.path("configSchemaValidationErrors");
            throw new IllegalArgumentException("W&B refused the config of queue " + def.name()
                    + (errors.isMissingNode() || errors.isNull() ? "" : ": " + errors));
        }
        return def;
    }

    @Override
    public Optional<QueueDefinition> get(String name) {
        JsonNode q = metadata(name);
        if (!q.isObject()) {
            return Optional.empty();
        }
        PrioritizationMode mode = q.path("prioritizationMode").asText("").equals("V0") ? PrioritizationMode.V0
                : PrioritizationMode.DISABLED;
        JsonNode configId = q.path("defaultResourceConfigID");
        if (configId.isNull() || configId.asText("").isEmpty()) {
            return Optional.of(QueueDefinition.bare(name).withEntity(entity).withPrioritization(mode));
        }
        ObjectNode vars = client.variables();
        vars.put("entityName", entity);
        vars.put("id", configId.asText());
        JsonNode c = call(() -> client.execute(Operations.GET_DEFAULT_RESOURCE_CONFIG, vars)).path("entity")
                .path("defaultResourceConfig");
        String resource = c.path("resource").asText("");
        JsonNode stored = jsonValue(c.path("config"));
        JsonNode fragment = stored.path("resource_args").path(resource);
        List<TemplateVariable> variables = new ArrayList<>();
        for (JsonNode v : c.path("templateVariables")) {
            variables.add(TemplateVariable.fromSchema(v.path("name").asText(), v.path("schema")));
        }
        return Optional.of(new QueueDefinition(name, entity, resource,
                fragment.isObject() ? (ObjectNode) fragment : JSON.createObjectNode(), variables, mode));
    }

    @Override
    public List<QueueDefinition> list() {
        ObjectNode vars = client.variables();
        vars.put("entity", entity);
        vars.put("projectName", project);
        JsonNode queues = call(() -> client.execute(Operations.PROJECT_RUN_QUEUES, vars)).path("project")
                .path("runQueues");
        List<QueueDefinition> out = new ArrayList<>();
        for (JsonNode q : queues) {
            get(q.path("name").asText()).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public boolean delete(String name) {
        JsonNode q = metadata(name);
        if (!q.isObject()) {
            return false;
        }
        ObjectNode vars = client.variables();
        vars.put("id", q.path("id").asText());
        return call(() -> client.execute(Operations.DELETE_RUN_QUEUE, vars)).path("deleteRunQueues").path("success")
                .asBoolean(false);
    }

    /**
     * Pushes an item ({@code pushToRunQueueByName}) after checking the template values against the queue's
     * variables, as the W&B CLI does; W&B merges the queue's config into the spec.
     *
     * @throws dev.launchkit.core.queue.TemplateVariableException naming a value the queue does not accept
     * @throws InvalidItemException for a priority other than medium on a queue without prioritization, or what W&B
     *                              refuses (quoted)
     * @throws IllegalArgumentException when there is no such queue
     */
    @Override
    public String push(String queue, LaunchSpec spec, Priority priority, Map<String, Object> templateValues) {
        QueueDefinition def = get(queue).orElseThrow(() -> new IllegalArgumentException("there is no queue " + queue
                + " in " + entity + "/" + project));
        if (def.prioritization() == PrioritizationMode.DISABLED && priority != Priority.MEDIUM) {
            throw new InvalidItemException("queue " + queue + " does not order items by priority; push with priority "
                    + "medium, or turn prioritization on (V0)");
        }
        Map<String, Object> values = templateValues == null ? Map.of() : templateValues;
        ObjectNode vars = client.variables();
        vars.put("entityName", entity);
        vars.put("projectName", project);
        vars.put("queueName", queue);
        vars.put("runSpec", spec.toJson().toString());
        vars.put("priority", priority.wandbValue());
        if (values.isEmpty()) {
            vars.putNull("templateVariableValues");
        } else {
            // Only the values given are sent; the server fills in the defaults.
            ObjectNode given = client.variables();
            def.resolveValues(values).forEach((k, v) -> {
                if (values.containsKey(k)) {
                    given.set(k, v);
                }
            });
            vars.put("templateVariableValues", given.toString());
        }
        JsonNode r;
        try {
            r = client.execute(Operations.PUSH_TO_RUN_QUEUE_BY_NAME, vars).path("pushToRunQueueByName");
        } catch (WandbGraphqlException e) {
            throw new InvalidItemException("W&B refused the item for queue " + queue + ": "
                    + String.join("; ", e.serverMessages()), e);
        } catch (WandbException e) {
            throw new QueueException(e.getMessage(), e);
        }
        String item = r.path("runQueueItemId").asText("");
        if (item.isEmpty()) {
            throw new QueueException("W&B did not accept the item for queue " + queue + ": " + r);
        }
        return item;
    }

    /**
     * The waiting items of a queue ({@code GetRunQueueItems}: the first 100 items, those in state {@code PENDING}).
     * The order is W&B's listing order; the server decides the pop order.
     */
    @Override
    public List<QueueItem> pending(String queue) {
        ObjectNode vars = queueVars(queue);
        JsonNode runQueue = call(() -> client.execute(Operations.GET_RUN_QUEUE_ITEMS_DETAILED, vars)).path("project")
                .path("runQueue");
        if (!runQueue.isObject()) {
            throw new IllegalArgumentException("there is no queue " + queue + " in " + entity + "/" + project);
        }
        List<QueueItem> out = new ArrayList<>();
        for (JsonNode edge : runQueue.path("runQueueItems").path("edges")) {
            JsonNode n = edge.path("node");
            if (!n.path("state").asText("PENDING").equals("PENDING")) {
                continue;
            }
            LaunchSpec spec;
            try {
                spec = n.hasNonNull("runSpec") ? LaunchSpec.fromNode(n.get("runSpec")) : LaunchSpec.empty();
            } catch (IllegalArgumentException e) {
                spec = LaunchSpec.empty();
            }
            Priority p = n.path("priority").canConvertToInt() && n.hasNonNull("priority")
                    ? Priority.fromWandb(n.path("priority").asInt()) : Priority.MEDIUM;
            out.add(new QueueItem(n.path("id").asText(), queue, spec, p, instant(n.path("createdAt"))));
        }
        return out;
    }

    /**
     * What W&B knows of an item ({@code GetRunQueueItem}): {@code PENDING}, taken ({@code LEASED}, {@code CLAIMED},
     * with the run id once acked) or {@code FAILED}.
     */
    @Override
    public Optional<ItemResult> status(String queue, String itemId) {
        ObjectNode vars = queueVars(queue);
        vars.put("itemId", itemId);
        JsonNode i = call(() -> client.execute(Operations.GET_RUN_QUEUE_ITEM, vars)).path("project").path("runQueue")
                .path("runQueueItem");
        if (!i.isObject()) {
            return Optional.empty();
        }
        ItemResult r = ItemResult.pending(i.path("id").asText(itemId), queue, Priority.MEDIUM, null);
        String state = i.path("state").asText("PENDING").toUpperCase(Locale.ROOT);
        if (state.equals("PENDING")) {
            return Optional.of(r);
        }
        r = r.taken(null);
        String runId = i.path("associatedRunId").isNull() ? "" : i.path("associatedRunId").asText("");
        if (!runId.isEmpty()) {
            r = r.acked(runId, null);
        }
        if (state.equals("FAILED")) {
            r = r.failed(null, "", null);
        }
        return Optional.of(r);
    }

    /** The ids of the first 100 items of the queue, in W&B's order. */
    public List<String> itemIds(String queue) {
        ObjectNode vars = queueVars(queue);
        JsonNode edges = call(() -> client.execute(Operations.GET_RUN_QUEUE_ITEMS, vars)).path("project")
                .path("runQueue").path("runQueueItems").path("edges");
        List<String> out = new ArrayList<>();
        edges.forEach(e -> out.add(e.path("node").path("id").asText()));
        return out;
    }

    /** Removes a waiting item ({@code DeleteFromRunQueue}); false when W&B did not. */
    public boolean deleteItem(String queue, String itemId) {
        JsonNode q = metadata(queue);
        if (!q.isObject()) {
            return false;
        }
        ObjectNode vars = client.variables();
        vars.put("queueID", q.path("id").asText());
        vars.put("runQueueItemId", itemId);
        return call(() -> client.execute(Operations.DELETE_FROM_RUN_QUEUE, vars)).path("deleteFromRunQueue")
                .path("success").asBoolean(false);
    }

    private QueueDefinition own(QueueDefinition def) {
        if (!def.entity().isEmpty() && !def.entity().equals(entity)) {
            throw new IllegalArgumentException("queue " + def.name() + " belongs to entity " + def.entity()
                    + ", but this admin manages entity " + entity);
        }
        return def.withEntity(entity);
    }

    private boolean exists(String name) {
        return metadata(name).isObject();
    }

    private JsonNode metadata(String queue) {
        ObjectNode vars = queueVars(queue);
        return call(() -> client.execute(Operations.GET_RUN_QUEUE_METADATA, vars)).path("project").path("runQueue");
    }

    private ObjectNode queueVars(String queue) {
        ObjectNode vars = client.variables();
        vars.put("projectName", project);
        vars.put("entityName", entity);
        vars.put("runQueue", queue);
        return vars;
    }

    private static <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (WandbException e) {
            throw new QueueException(e.getMessage(), e);
        }
    }

    /** W&B's form: a JSON list of {@code {name, schema}} with each schema as a JSON string. */
    private static String templateVariablesJson(List<TemplateVariable> variables) {
        var list = JSON.createArrayNode();
        for (TemplateVariable v : variables) {
            ObjectNode o = list.addObject();
            o.put("name", v.name());
            o.put("schema", v.schema().toString());
        }
        return list.toString();
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

    private static Instant instant(JsonNode node) {
        if (node.isTextual()) {
            try {
                return Instant.parse(node.asText());
            } catch (DateTimeParseException e) {
                return Instant.EPOCH;
            }
        }
        return Instant.EPOCH;
    }
}
