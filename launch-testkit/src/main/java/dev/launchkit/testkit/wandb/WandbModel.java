package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake server's in-memory W&B: users, entities, run queues with their default resource configs, items, launch
 * agents, runs, sweeps and artifacts, and the GraphQL operations of the launch protocol over them. Response shapes
 * follow the W&B GraphQL schema as the Python SDK reads it (reference: wandb-launch-agent.md §3). Every method is
 * synchronized; the model is small and calls are short.
 */
final class WandbModel {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private final Clock clock;
    private final SignedUrls signer;
    private final Function<String, String> storageUrl;
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, Entity> entities = new LinkedHashMap<>();
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final Map<String, ResourceConfig> configs = new LinkedHashMap<>();
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Map<String, String> sweeps = new LinkedHashMap<>();
    private final Map<String, Artifact> artifacts = new LinkedHashMap<>();
    private long sequence;
    private boolean runSpecAsString;
    private boolean initRunsOnAck;

    /**
     * @param storageUrl turns a signed path ({@code /files/...?X-Expires=...}) into an absolute storage URL
     */
    WandbModel(Clock clock, SignedUrls signer, Function<String, String> storageUrl) {
        this.clock = clock;
        this.signer = signer;
        this.storageUrl = storageUrl;
    }

    // ---------------------------------------------------------------- seeding

    synchronized void addUser(String apiKey, String username, String defaultEntity) {
        users.put(apiKey, new User(username, defaultEntity));
        entity(defaultEntity, false);
    }

    synchronized Optional<User> user(String apiKey) {
        return Optional.ofNullable(users.get(apiKey));
    }

    synchronized void addEntity(String name, boolean team) {
        entity(name, false).team = team;
    }

    private Entity entity(String name, boolean team) {
        return entities.computeIfAbsent(name, n -> {
            Entity e = new Entity();
            e.id = id("Entity");
            e.name = n;
            e.team = team;
            return e;
        });
    }

    synchronized String createQueue(String entityName, String project, String name, String resource, JsonNode config,
                                    List<TemplateVariable> variables, boolean prioritized, String createdBy) {
        entity(entityName, false);
        if (findQueue(entityName, project, name).isPresent()) {
            throw new IllegalArgumentException("queue " + entityName + "/" + project + "/" + name + " already exists");
        }
        Queue q = new Queue();
        q.id = id("RunQueue");
        q.entity = entityName;
        q.project = project;
        q.name = name;
        q.access = "PROJECT";
        q.prioritizationMode = prioritized ? "V0" : "";
        q.createdBy = createdBy;
        if (!resource.isEmpty()) {
            q.configId = addConfig(entityName, resource, wrap(resource, config), variables);
        }
        queues.put(q.id, q);
        return q.id;
    }

    /** A queue config as W&B stores it: {@code {"resource_args": {<resource>: <config>}}}. */
    private static ObjectNode wrap(String resource, JsonNode config) {
        if (config != null && config.isObject() && config.has("resource_args")) {
            return (ObjectNode) config.deepCopy();
        }
        ObjectNode out = NODES.objectNode();
        out.putObject("resource_args").set(resource, config == null ? NODES.objectNode() : config.deepCopy());
        return out;
    }

    private String addConfig(String entityName, String resource, ObjectNode config, List<TemplateVariable> vars) {
        ResourceConfig c = new ResourceConfig();
        c.id = id("DefaultResourceConfig");
        c.entity = entityName;
        c.resource = resource;
        c.config = config;
        c.variables = new ArrayList<>(vars);
        configs.put(c.id, c);
        return c.id;
    }

    synchronized String push(String entityName, String project, String queueName, JsonNode runSpec, Integer priority,
                             JsonNode templateValues) {
        Queue q = findQueue(entityName, project, queueName).orElseThrow(() -> new GraphqlError("run queue '"
                + queueName + "' not found in " + entityName + "/" + project));
        return pushTo(q, runSpec, priority, templateValues).id;
    }

    synchronized String pushRaw(String entityName, String project, String queueName, String rawRunSpec) {
        Queue q = findQueue(entityName, project, queueName).orElseThrow(() -> new IllegalArgumentException(
                "run queue '" + queueName + "' not found in " + entityName + "/" + project));
        Item item = newItem(q, TextNode.valueOf(rawRunSpec), 2);
        item.raw = true;
        return item.id;
    }

    private Item pushTo(Queue q, JsonNode runSpec, Integer priority, JsonNode templateValues) {
        if (runSpec == null || !runSpec.isObject()) {
            throw new GraphqlError("runSpec must be a JSON object");
        }
        int p = priority == null ? 2 : priority;
        if (p < 0 || p > 3) {
            throw new GraphqlError("priority must be between 0 (critical) and 3 (low), got " + p);
        }
        ObjectNode spec = merged(q, (ObjectNode) runSpec.deepCopy(), templateValues);
        return newItem(q, spec, p);
    }

    private Item newItem(Queue q, JsonNode spec, int priority) {
        Item item = new Item();
        item.id = id("RunQueueItem");
        item.queueId = q.id;
        item.spec = spec;
        item.priority = priority;
        item.order = ++sequence;
        item.state = "PENDING";
        items.put(item.id, item);
        return item;
    }

    /**
     * What the W&B server does on push: the queue's default resource config, with template variables resolved,
     * is merged under the submitted {@code resource_args} (the submitter's keys win), and {@code resource} is set.
     */
    private ObjectNode merged(Queue q, ObjectNode spec, JsonNode templateValues) {
        ObjectNode values = templateValues != null && templateValues.isObject() ? (ObjectNode) templateValues
                : NODES.objectNode();
        if (q.configId.isEmpty()) {
            if (!values.isEmpty()) {
                throw new GraphqlError("queue " + q.name + " has no template variables; it does not support "
                        + "overriding " + String.join(", ", names(values)));
            }
            return spec;
        }
        ResourceConfig c = configs.get(q.configId);
        Map<String, JsonNode> resolved = new LinkedHashMap<>();
        for (TemplateVariable v : c.variables) {
            JsonNode value = values.get(v.name());
            if (value == null || value.isNull()) {
                value = schema(v).get("default");
            }
            if (value == null || value.isNull()) {
                throw new GraphqlError("template variable '" + v.name() + "' of queue " + q.name + " needs a value");
            }
            resolved.put(v.name(), checked(q, v, value));
        }
        for (String key : names(values)) {
            if (!resolved.containsKey(key)) {
                throw new GraphqlError("Queue " + q.name + " does not support overriding " + key);
            }
        }
        JsonNode queueArgs = substitute(c.config.path("resource_args"), resolved);
        JsonNode submitted = spec.path("resource_args");
        ObjectNode args = queueArgs.isObject() ? ((ObjectNode) queueArgs).deepCopy() : NODES.objectNode();
        if (submitted.isObject()) {
            mergeInto(args, (ObjectNode) submitted);
        }
        spec.set("resource_args", args);
        spec.put("resource", c.resource);
        return spec;
    }

    private static List<String> names(ObjectNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static ObjectNode schema(TemplateVariable v) {
        JsonNode s = v.schema();
        if (s.isTextual()) {
            try {
                s = JSON.readTree(s.asText());
            } catch (JsonProcessingException e) {
                return NODES.objectNode();
            }
        }
        return s.isObject() ? (ObjectNode) s : NODES.objectNode();
    }

    private JsonNode checked(Queue q, TemplateVariable v, JsonNode value) {
        ObjectNode schema = schema(v);
        String type = schema.path("type").asText("string");
        String where = "template variable '" + v.name() + "' of queue " + q.name;
        JsonNode out = value;
        switch (type) {
            case "integer" -> {
                if (value.isTextual()) {
                    try {
                        out = NODES.numberNode(Long.parseLong(value.asText().trim()));
                    } catch (NumberFormatException e) {
                        throw new GraphqlError(where + ": '" + value.asText() + "' is not an integer");
                    }
                } else if (!value.isIntegralNumber()) {
                    throw new GraphqlError(where + ": " + value + " is not an integer");
                }
            }
            case "number" -> {
                if (value.isTextual()) {
                    try {
                        out = NODES.numberNode(Double.parseDouble(value.asText().trim()));
                    } catch (NumberFormatException e) {
                        throw new GraphqlError(where + ": '" + value.asText() + "' is not a number");
                    }
                } else if (!value.isNumber()) {
                    throw new GraphqlError(where + ": " + value + " is not a number");
                }
            }
            default -> out = value.isTextual() ? value : TextNode.valueOf(value.asText());
        }
        if (out.isNumber()) {
            if (schema.has("minimum") && out.doubleValue() < schema.get("minimum").doubleValue()) {
                throw new GraphqlError(where + ": " + out + " is below the minimum " + schema.get("minimum"));
            }
            if (schema.has("maximum") && out.doubleValue() > schema.get("maximum").doubleValue()) {
                throw new GraphqlError(where + ": " + out + " is above the maximum " + schema.get("maximum"));
            }
        }
        JsonNode allowed = schema.path("enum");
        if (allowed.isArray() && allowed.size() > 0) {
            boolean ok = false;
            for (JsonNode a : allowed) {
                ok |= a.asText().equals(out.asText());
            }
            if (!ok) {
                throw new GraphqlError(where + ": '" + out.asText() + "' is not one of " + allowed);
            }
        }
        return out;
    }

    private static JsonNode substitute(JsonNode node, Map<String, JsonNode> values) {
        if (node.isTextual()) {
            String text = node.asText();
            Matcher whole = PLACEHOLDER.matcher(text);
            if (whole.matches() && values.containsKey(whole.group(1))) {
                return values.get(whole.group(1)).deepCopy();
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                JsonNode v = values.get(m.group(1));
                m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v.asText()));
            }
            m.appendTail(sb);
            return TextNode.valueOf(sb.toString());
        }
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            node.properties().forEach(e -> out.set(e.getKey(), substitute(e.getValue(), values)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(n -> out.add(substitute(n, values)));
            return out;
        }
        return node.deepCopy();
    }

    private static void mergeInto(ObjectNode target, ObjectNode source) {
        source.properties().forEach(e -> {
            JsonNode existing = target.get(e.getKey());
            if (existing != null && existing.isObject() && e.getValue().isObject()) {
                mergeInto((ObjectNode) existing, (ObjectNode) e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }

    synchronized void runSpecAsString(boolean value) {
        this.runSpecAsString = value;
    }

    synchronized void initRunsOnAck(boolean value) {
        this.initRunsOnAck = value;
    }

    synchronized void setRun(String entityName, String project, String runId, String state, Boolean stopped) {
        Run r = runs.computeIfAbsent(entityName + "/" + project + "/" + runId, k -> {
            Run n = new Run();
            n.entity = entityName;
            n.project = project;
            n.name = runId;
            n.state = "running";
            return n;
        });
        if (state != null) {
            r.state = state;
        }
        if (stopped != null) {
            r.stopped = stopped;
        }
    }

    synchronized void setSweepState(String entityName, String project, String sweepId, String state) {
        sweeps.put(entityName + "/" + project + "/" + sweepId, state);
    }

    synchronized void stopPolling(String agentId) {
        Agent a = agents.get(agentId);
        if (a == null) {
            throw new IllegalArgumentException("no launch agent " + agentId);
        }
        a.stopPolling = true;
    }

    synchronized String addArtifact(String entityName, String project, String collection, String type,
                                    List<String> aliases, Map<String, byte[]> files) {
        entity(entityName, false);
        int version = (int) artifacts.values().stream()
                .filter(a -> a.entity.equals(entityName) && a.project.equals(project) && a.collection.equals(collection))
                .count();
        for (Artifact other : artifacts.values()) {
            if (other.entity.equals(entityName) && other.project.equals(project) && other.collection.equals(collection)) {
                other.aliases.removeAll(aliases);
                other.aliases.remove("latest");
            }
        }
        Artifact a = new Artifact();
        a.id = id("Artifact");
        a.entity = entityName;
        a.project = project;
        a.collection = collection;
        a.type = type;
        a.versionIndex = version;
        a.aliases = new ArrayList<>(aliases);
        if (!a.aliases.contains("latest")) {
            a.aliases.add("latest");
        }
        a.state = "COMMITTED";
        a.files = new LinkedHashMap<>(files);
        artifacts.put(a.id, a);
        return a.id;
    }

    synchronized void deleteArtifact(String artifactId) {
        Artifact a = artifacts.get(artifactId);
        if (a == null) {
            throw new IllegalArgumentException("no artifact " + artifactId);
        }
        a.state = "DELETED";
    }

    /** The bytes of a stored file for a storage path, or empty. */
    synchronized Optional<byte[]> storageObject(String path) {
        // /files/<artifact id>/<name> and /manifests/<artifact id>
        String[] parts = path.split("/", 4);
        if (parts.length >= 3 && parts[1].equals("manifests")) {
            Artifact a = artifacts.get(decodePathId(parts[2]));
            return a == null ? Optional.empty() : Optional.of(manifest(a).toString().getBytes(StandardCharsets.UTF_8));
        }
        if (parts.length == 4 && parts[1].equals("files")) {
            Artifact a = artifacts.get(decodePathId(parts[2]));
            return a == null ? Optional.empty() : Optional.ofNullable(a.files.get(parts[3]));
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- views

    synchronized List<ItemView> items() {
        return items.values().stream().map(this::view).toList();
    }

    synchronized Optional<ItemView> item(String id) {
        return Optional.ofNullable(items.get(id)).map(this::view);
    }

    private ItemView view(Item i) {
        Queue q = queues.get(i.queueId);
        return new ItemView(i.id, i.queueId, q == null ? "" : q.name, i.state, i.priority, i.spec.deepCopy(),
                i.runId, i.agentId, i.failure, i.warnings);
    }

    synchronized List<AgentView> agents() {
        return agents.values().stream().map(a -> new AgentView(a.id, a.name, a.entity, a.project, a.hostname,
                a.queueIds, a.config.deepCopy(), a.version, a.status, a.statuses, a.stopPolling)).toList();
    }

    synchronized Optional<QueueView> queue(String entityName, String project, String name) {
        return findQueue(entityName, project, name).map(q -> {
            ResourceConfig c = q.configId.isEmpty() ? null : configs.get(q.configId);
            return new QueueView(q.id, q.entity, q.project, q.name, q.access, q.prioritizationMode,
                    c == null ? "" : c.resource, c == null ? NODES.objectNode() : c.config.deepCopy(),
                    c == null ? List.of() : c.variables, q.externalLinks.deepCopy());
        });
    }

    synchronized Optional<RunView> run(String entityName, String project, String runId) {
        Run r = runs.get(entityName + "/" + project + "/" + runId);
        return r == null ? Optional.empty() : Optional.of(new RunView(r.entity, r.project, r.name, r.state, r.stopped));
    }

    // ---------------------------------------------------------------- operations

    /** The variables each operation requires, by operation name as sent. */
    static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry("Viewer", List.of()),
            Map.entry("ProjectRunQueues", List.of("entity", "projectName")),
            Map.entry("CreateRunQueue", List.of("entity", "project", "queueName", "access")),
            Map.entry("createLaunchAgent", List.of("entity", "project", "queues", "hostname")),
            Map.entry("EntityIsTeam", List.of("entity")),
            Map.entry("LaunchAgent", List.of("agentId")),
            Map.entry("updateLaunchAgent", List.of("agentId")),
            Map.entry("popFromRunQueue", List.of("entity", "project", "queueName")),
            Map.entry("ackRunQueueItem", List.of("itemId", "runId")),
            Map.entry("failRunQueueItem", List.of("runQueueItemId", "message", "stage")),
            Map.entry("updateRunQueueItemWarning", List.of("runQueueItemId", "message", "stage")),
            Map.entry("RunStoppedStatus", List.of("runId")),
            Map.entry("RunState", List.of("project", "entity", "name")),
            Map.entry("GetSweepState", List.of("entity", "project", "sweep")),
            Map.entry("pushToRunQueueByName", List.of("entityName", "projectName", "queueName", "runSpec")),
            Map.entry("pushToRunQueue", List.of("queueID", "runSpec")),
            Map.entry("CreateDefaultResourceConfig", List.of("entityName", "resource", "config")),
            Map.entry("upsertRunQueue", List.of("entityName", "projectName", "queueName", "resourceType",
                    "resourceConfig")),
            Map.entry("GetRunQueueMetadata", List.of("projectName", "entityName", "runQueue")),
            Map.entry("GetDefaultResourceConfig", List.of("entityName", "id")),
            Map.entry("GetRunQueueItems", List.of("projectName", "entityName", "runQueue")),
            Map.entry("GetRunQueueItem", List.of("projectName", "entityName", "runQueue", "itemId")),
            Map.entry("DeleteFromRunQueue", List.of("queueID", "runQueueItemId")),
            Map.entry("DeleteRunQueue", List.of("id")),
            Map.entry("ArtifactMembershipByName", List.of("entity", "project", "name")),
            Map.entry("ArtifactByID", List.of("id")),
            Map.entry("FetchArtifactManifest", List.of("id")),
            Map.entry("GetArtifactFileUrls", List.of("id")));

    /**
     * Runs one operation.
     *
     * @param caller the user of the API key, or empty for an anonymous call
     * @return the {@code data} object
     * @throws GraphqlError for errors the server reports in {@code errors}
     */
    synchronized ObjectNode execute(String operation, ObjectNode vars, Optional<User> caller) {
        List<String> required = REQUIRED.get(operation);
        if (required == null) {
            throw new GraphqlError("Cannot query field \"" + operation + "\": the fake W&B server does not implement "
                    + "this operation");
        }
        for (String r : required) {
            if (!vars.hasNonNull(r)) {
                throw new GraphqlError("Variable \"$" + r + "\" of required type was not provided.");
            }
        }
        ObjectNode data = NODES.objectNode();
        switch (operation) {
            case "Viewer" -> data.set("viewer", caller.<JsonNode>map(this::viewer).orElse(NullNode.getInstance()));
            case "ProjectRunQueues" -> data.set("project", projectRunQueues(text(vars, "entity"),
                    text(vars, "projectName")));
            case "CreateRunQueue" -> data.set("createRunQueue", createRunQueue(vars, caller));
            case "createLaunchAgent" -> data.set("createLaunchAgent", createLaunchAgent(vars));
            case "EntityIsTeam" -> data.set("entity", entityIsTeam(text(vars, "entity")));
            case "LaunchAgent" -> data.set("launchAgent", launchAgent(text(vars, "agentId")));
            case "updateLaunchAgent" -> data.set("updateLaunchAgent", updateLaunchAgent(vars));
            case "popFromRunQueue" -> data.set("popFromRunQueue", pop(vars));
            case "ackRunQueueItem" -> data.set("ackRunQueueItem", ack(vars));
            case "failRunQueueItem" -> data.set("failRunQueueItem", fail(vars));
            case "updateRunQueueItemWarning" -> data.set("updateRunQueueItemWarning", warn(vars));
            case "RunStoppedStatus" -> data.set("project", runField(text(vars, "entityName"),
                    text(vars, "projectName"), text(vars, "runId"), "stopped"));
            case "RunState" -> data.set("project", runField(text(vars, "entity"), text(vars, "project"),
                    text(vars, "name"), "state"));
            case "GetSweepState" -> data.set("project", sweepState(vars));
            case "pushToRunQueueByName" -> data.set("pushToRunQueueByName", pushByName(vars));
            case "pushToRunQueue" -> data.set("pushToRunQueue", pushById(vars));
            case "CreateDefaultResourceConfig" -> data.set("createDefaultResourceConfig", createConfig(vars));
            case "upsertRunQueue" -> data.set("upsertRunQueue", upsertRunQueue(vars, caller));
            case "GetRunQueueMetadata" -> data.set("project", queueMetadata(vars));
            case "GetDefaultResourceConfig" -> data.set("entity", defaultResourceConfig(vars));
            case "GetRunQueueItems" -> data.set("project", queueItems(vars));
            case "GetRunQueueItem" -> data.set("project", queueItem(vars));
            case "DeleteFromRunQueue" -> data.set("deleteFromRunQueue", deleteItem(vars));
            case "DeleteRunQueue" -> data.set("deleteRunQueues", deleteQueue(vars));
            case "ArtifactMembershipByName" -> data.set("project", membershipByName(vars));
            case "ArtifactByID" -> data.set("artifact", artifactById(text(vars, "id")));
            case "FetchArtifactManifest" -> data.set("artifact", fetchManifest(text(vars, "id")));
            case "GetArtifactFileUrls" -> data.set("artifact", fileUrls(vars));
            default -> throw new GraphqlError("unhandled operation " + operation);
        }
        return data;
    }

    private ObjectNode viewer(User u) {
        ObjectNode v = NODES.objectNode();
        v.put("id", encode("User", u.username));
        v.put("entity", u.defaultEntity);
        v.put("username", u.username);
        v.put("flags", "{}");
        ArrayNode edges = v.putObject("teams").putArray("edges");
        entities.values().stream().filter(e -> e.team)
                .forEach(e -> edges.addObject().putObject("node").put("name", e.name));
        return v;
    }

    private JsonNode projectRunQueues(String entityName, String project) {
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        ArrayNode list = p.putArray("runQueues");
        queues.values().stream().filter(q -> q.entity.equals(entityName) && q.project.equals(project)).forEach(q -> {
            ObjectNode o = list.addObject();
            o.put("id", q.id);
            o.put("name", q.name);
            o.put("createdBy", q.createdBy);
            o.put("access", q.access);
        });
        return p;
    }

    private ObjectNode createRunQueue(ObjectNode vars, Optional<User> caller) {
        String entityName = text(vars, "entity");
        String project = text(vars, "project");
        String name = text(vars, "queueName");
        ObjectNode out = NODES.objectNode();
        if (!entities.containsKey(entityName)) {
            throw new GraphqlError("entity " + entityName + " not found");
        }
        if (findQueue(entityName, project, name).isPresent()) {
            out.put("success", false);
            out.putNull("queueID");
            return out;
        }
        String configId = text(vars, "defaultResourceConfigID");
        if (!configId.isEmpty() && !configs.containsKey(configId)) {
            throw new GraphqlError("default resource config " + configId + " not found");
        }
        Queue q = new Queue();
        q.id = id("RunQueue");
        q.entity = entityName;
        q.project = project;
        q.name = name;
        q.access = text(vars, "access").toUpperCase(Locale.ROOT);
        q.prioritizationMode = text(vars, "prioritizationMode").equals("V0") ? "V0" : "";
        q.configId = configId;
        q.createdBy = caller.map(u -> u.username).orElse("");
        queues.put(q.id, q);
        out.put("success", true);
        out.put("queueID", q.id);
        return out;
    }

    private ObjectNode createLaunchAgent(ObjectNode vars) {
        String entityName = text(vars, "entity");
        if (!entities.containsKey(entityName)) {
            throw new GraphqlError("entity " + entityName + " not found");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode q : vars.path("queues")) {
            if (!queues.containsKey(q.asText())) {
                throw new GraphqlError("run queue " + q.asText() + " not found");
            }
            ids.add(q.asText());
        }
        Agent a = new Agent();
        a.id = id("LaunchAgent");
        a.name = "agent-" + Long.toString(sequence, 36) + Integer.toHexString(a.id.hashCode() & 0xffff);
        a.entity = entityName;
        a.project = text(vars, "project");
        a.hostname = text(vars, "hostname");
        a.queueIds = ids;
        a.version = text(vars, "version");
        String config = text(vars, "agentConfig");
        try {
            a.config = config.isEmpty() ? NODES.objectNode() : JSON.readTree(config);
        } catch (JsonProcessingException e) {
            throw new GraphqlError("agentConfig is not valid JSON: " + e.getOriginalMessage());
        }
        agents.put(a.id, a);
        ObjectNode out = NODES.objectNode();
        out.put("launchAgentId", a.id);
        return out;
    }

    private JsonNode entityIsTeam(String name) {
        Entity e = entities.get(name);
        if (e == null) {
            return NullNode.getInstance();
        }
        ObjectNode out = NODES.objectNode();
        out.put("id", e.id);
        out.put("isTeam", e.team);
        return out;
    }

    private JsonNode launchAgent(String agentId) {
        Agent a = agents.get(agentId);
        if (a == null) {
            return NullNode.getInstance();
        }
        a.heartbeatAt = clock.instant().toString();
        ObjectNode out = NODES.objectNode();
        out.put("id", a.id);
        out.put("name", a.name);
        ArrayNode qs = out.putArray("runQueues");
        a.queueIds.forEach(qs::add);
        out.put("hostname", a.hostname);
        if (a.status.isEmpty()) {
            out.putNull("agentStatus");
        } else {
            out.put("agentStatus", a.status);
        }
        out.put("stopPolling", a.stopPolling);
        out.put("heartbeatAt", a.heartbeatAt);
        return out;
    }

    private ObjectNode updateLaunchAgent(ObjectNode vars) {
        Agent a = agents.get(text(vars, "agentId"));
        ObjectNode out = NODES.objectNode();
        if (a == null) {
            out.put("success", false);
            return out;
        }
        String status = text(vars, "agentStatus");
        if (!status.isEmpty() && !Set.of("POLLING", "RUNNING", "KILLED").contains(status)) {
            throw new GraphqlError("agentStatus must be POLLING, RUNNING or KILLED, got " + status);
        }
        a.status = status;
        a.statuses.add(status);
        a.heartbeatAt = clock.instant().toString();
        out.put("success", true);
        return out;
    }

    private JsonNode pop(ObjectNode vars) {
        Queue q = findQueue(text(vars, "entity"), text(vars, "project"), text(vars, "queueName"))
                .orElseThrow(() -> new GraphqlError("run queue '" + text(vars, "queueName") + "' not found in "
                        + text(vars, "entity") + "/" + text(vars, "project")));
        Comparator<Item> order = q.prioritizationMode.equals("V0")
                ? Comparator.<Item>comparingInt(i -> i.priority).thenComparingLong(i -> i.order)
                : Comparator.comparingLong(i -> i.order);
        Optional<Item> next = items.values().stream().filter(i -> i.queueId.equals(q.id) && i.state.equals("PENDING"))
                .min(order);
        if (next.isEmpty()) {
            return NullNode.getInstance();
        }
        Item i = next.get();
        i.state = "LEASED";
        i.agentId = text(vars, "launchAgentId");
        ObjectNode out = NODES.objectNode();
        out.put("runQueueItemId", i.id);
        if (i.raw || runSpecAsString) {
            out.put("runSpec", i.raw ? i.spec.asText() : i.spec.toString());
        } else {
            out.set("runSpec", i.spec.deepCopy());
        }
        return out;
    }

    private ObjectNode ack(ObjectNode vars) {
        Item i = items.get(text(vars, "itemId"));
        ObjectNode out = NODES.objectNode();
        if (i == null || !(i.state.equals("LEASED") || i.state.equals("PENDING"))) {
            out.put("success", false);
            return out;
        }
        i.state = "CLAIMED";
        i.runId = text(vars, "runId");
        if (initRunsOnAck && i.spec.isObject()) {
            setRun(i.spec.path("entity").asText(), i.spec.path("project").asText().toLowerCase(Locale.ROOT), i.runId,
                    "running", null);
        }
        out.put("success", true);
        return out;
    }

    private ObjectNode fail(ObjectNode vars) {
        Item i = items.get(text(vars, "runQueueItemId"));
        ObjectNode out = NODES.objectNode();
        if (i == null) {
            out.put("success", false);
            return out;
        }
        i.state = "FAILED";
        i.failure = new ItemView.Report(text(vars, "stage"), text(vars, "message"), strings(vars.path("filePaths")));
        out.put("success", true);
        return out;
    }

    private ObjectNode warn(ObjectNode vars) {
        Item i = items.get(text(vars, "runQueueItemId"));
        ObjectNode out = NODES.objectNode();
        if (i == null) {
            out.put("success", false);
            return out;
        }
        i.warnings.add(new ItemView.Report(text(vars, "stage"), text(vars, "message"),
                strings(vars.path("filePaths"))));
        out.put("success", true);
        return out;
    }

    private JsonNode runField(String entityName, String project, String runId, String field) {
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        Run r = runs.get(entityName + "/" + project + "/" + runId);
        if (r == null) {
            p.putNull("run");
        } else if (field.equals("stopped")) {
            p.putObject("run").put("stopped", r.stopped);
        } else {
            p.putObject("run").put("state", r.state);
        }
        return p;
    }

    private JsonNode sweepState(ObjectNode vars) {
        String entityName = text(vars, "entity");
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        String state = sweeps.get(entityName + "/" + text(vars, "project") + "/" + text(vars, "sweep"));
        if (state == null) {
            p.putNull("sweep");
        } else {
            p.putObject("sweep").put("state", state);
        }
        return p;
    }

    private ObjectNode pushByName(ObjectNode vars) {
        Queue q = findQueue(text(vars, "entityName"), text(vars, "projectName"), text(vars, "queueName"))
                .orElseThrow(() -> new GraphqlError("run queue '" + text(vars, "queueName") + "' not found in "
                        + text(vars, "entityName") + "/" + text(vars, "projectName")));
        return pushed(q, vars);
    }

    private ObjectNode pushById(ObjectNode vars) {
        Queue q = queues.get(text(vars, "queueID"));
        if (q == null) {
            throw new GraphqlError("run queue " + text(vars, "queueID") + " not found");
        }
        return pushed(q, vars);
    }

    private ObjectNode pushed(Queue q, ObjectNode vars) {
        JsonNode spec = jsonString(vars, "runSpec");
        JsonNode values = vars.hasNonNull("templateVariableValues") ? jsonString(vars, "templateVariableValues") : null;
        Integer priority = vars.hasNonNull("priority") ? vars.get("priority").asInt() : null;
        Item item = pushTo(q, spec, priority, values);
        ObjectNode out = NODES.objectNode();
        out.put("runQueueItemId", item.id);
        out.put("runSpec", item.spec.toString());
        return out;
    }

    private ObjectNode createConfig(ObjectNode vars) {
        String entityName = text(vars, "entityName");
        if (!entities.containsKey(entityName)) {
            throw new GraphqlError("entity " + entityName + " not found");
        }
        JsonNode config = jsonString(vars, "config");
        if (!config.isObject() || !config.path("resource_args").isObject()) {
            throw new GraphqlError("config must be a JSON object with resource_args");
        }
        String id = addConfig(entityName, text(vars, "resource"), (ObjectNode) config, variables(vars));
        ObjectNode out = NODES.objectNode();
        out.put("success", true);
        out.put("defaultResourceConfigID", id);
        return out;
    }

    private List<TemplateVariable> variables(ObjectNode vars) {
        if (!vars.hasNonNull("templateVariables")) {
            return List.of();
        }
        JsonNode tv = jsonString(vars, "templateVariables");
        List<TemplateVariable> out = new ArrayList<>();
        if (tv.isArray()) {
            for (JsonNode v : tv) {
                out.add(new TemplateVariable(v.path("name").asText(), v.path("schema")));
            }
        } else if (tv.isObject()) {
            tv.properties().forEach(e -> out.add(new TemplateVariable(e.getKey(), e.getValue())));
        } else {
            throw new GraphqlError("templateVariables must be a JSON list or object");
        }
        return out;
    }

    private ObjectNode upsertRunQueue(ObjectNode vars, Optional<User> caller) {
        String entityName = text(vars, "entityName");
        String project = text(vars, "projectName");
        String name = text(vars, "queueName");
        String resource = text(vars, "resourceType");
        ObjectNode out = NODES.objectNode();
        ArrayNode problems = NODES.arrayNode();
        if (!Set.of("local-container", "local-process", "kubernetes", "sagemaker", "gcp-vertex").contains(resource)) {
            problems.add("resourceType '" + resource + "' is not one of local-container, local-process, kubernetes, "
                    + "sagemaker, gcp-vertex");
        }
        JsonNode config = jsonString(vars, "resourceConfig");
        if (!config.isObject()) {
            problems.add("resourceConfig must be a JSON object");
        }
        if (!problems.isEmpty()) {
            out.put("success", false);
            out.set("configSchemaValidationErrors", problems);
            return out;
        }
        entity(entityName, false);
        Queue q = findQueue(entityName, project, name).orElseGet(() -> {
            Queue n = new Queue();
            n.id = id("RunQueue");
            n.entity = entityName;
            n.project = project;
            n.name = name;
            n.access = "PROJECT";
            n.createdBy = caller.map(u -> u.username).orElse("");
            queues.put(n.id, n);
            return n;
        });
        q.configId = addConfig(entityName, resource, wrap(resource, config), variables(vars));
        q.prioritizationMode = text(vars, "prioritizationMode").equals("V0") ? "V0" : "";
        if (vars.hasNonNull("externalLinks")) {
            q.externalLinks = jsonString(vars, "externalLinks");
        }
        out.put("success", true);
        out.putNull("configSchemaValidationErrors");
        return out;
    }

    private JsonNode queueMetadata(ObjectNode vars) {
        String entityName = text(vars, "entityName");
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        Optional<Queue> q = findQueue(entityName, text(vars, "projectName"), text(vars, "runQueue"));
        if (q.isEmpty()) {
            p.putNull("runQueue");
            return p;
        }
        ObjectNode o = p.putObject("runQueue");
        o.put("id", q.get().id);
        o.put("access", q.get().access);
        if (q.get().configId.isEmpty()) {
            o.putNull("defaultResourceConfigID");
        } else {
            o.put("defaultResourceConfigID", q.get().configId);
        }
        o.put("prioritizationMode", q.get().prioritizationMode.isEmpty() ? "DISABLED" : q.get().prioritizationMode);
        o.put("externalLinks", q.get().externalLinks.toString());
        return p;
    }

    private JsonNode defaultResourceConfig(ObjectNode vars) {
        Entity e = entities.get(text(vars, "entityName"));
        if (e == null) {
            return NullNode.getInstance();
        }
        ObjectNode out = NODES.objectNode();
        ResourceConfig c = configs.get(text(vars, "id"));
        if (c == null || !c.entity.equals(e.name)) {
            out.putNull("defaultResourceConfig");
            return out;
        }
        ObjectNode d = out.putObject("defaultResourceConfig");
        d.set("config", c.config.deepCopy());
        d.put("resource", c.resource);
        ArrayNode tv = d.putArray("templateVariables");
        for (TemplateVariable v : c.variables) {
            ObjectNode o = tv.addObject();
            o.put("name", v.name());
            o.put("schema", v.schema().isTextual() ? v.schema().asText() : v.schema().toString());
        }
        return out;
    }

    private JsonNode queueItems(ObjectNode vars) {
        String entityName = text(vars, "entityName");
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        Optional<Queue> q = findQueue(entityName, text(vars, "projectName"), text(vars, "runQueue"));
        if (q.isEmpty()) {
            p.putNull("runQueue");
            return p;
        }
        ArrayNode edges = p.putObject("runQueue").putObject("runQueueItems").putArray("edges");
        items.values().stream().filter(i -> i.queueId.equals(q.get().id)).limit(100)
                .forEach(i -> edges.addObject().set("node", itemNode(i)));
        return p;
    }

    private JsonNode queueItem(ObjectNode vars) {
        String entityName = text(vars, "entityName");
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        Optional<Queue> q = findQueue(entityName, text(vars, "projectName"), text(vars, "runQueue"));
        if (q.isEmpty()) {
            p.putNull("runQueue");
            return p;
        }
        Item i = items.get(text(vars, "itemId"));
        ObjectNode rq = p.putObject("runQueue");
        if (i == null || !i.queueId.equals(q.get().id)) {
            rq.putNull("runQueueItem");
        } else {
            rq.set("runQueueItem", itemNode(i));
        }
        return p;
    }

    private static ObjectNode itemNode(Item i) {
        ObjectNode n = NODES.objectNode();
        n.put("id", i.id);
        n.put("state", i.state);
        if (i.runId.isEmpty()) {
            n.putNull("associatedRunId");
        } else {
            n.put("associatedRunId", i.runId);
        }
        return n;
    }

    private ObjectNode deleteItem(ObjectNode vars) {
        Item i = items.get(text(vars, "runQueueItemId"));
        ObjectNode out = NODES.objectNode();
        boolean ok = i != null && i.queueId.equals(text(vars, "queueID"));
        if (ok) {
            items.remove(i.id);
        }
        out.put("success", ok);
        out.putNull("clientMutationId");
        return out;
    }

    private ObjectNode deleteQueue(ObjectNode vars) {
        String id = text(vars, "id");
        ObjectNode out = NODES.objectNode();
        Queue q = queues.remove(id);
        if (q != null) {
            items.values().removeIf(i -> i.queueId.equals(id));
        }
        out.put("success", q != null);
        out.putNull("clientMutationId");
        return out;
    }

    private JsonNode membershipByName(ObjectNode vars) {
        String entityName = text(vars, "entity");
        String project = text(vars, "project");
        if (!entities.containsKey(entityName)) {
            return NullNode.getInstance();
        }
        ObjectNode p = NODES.objectNode();
        String name = text(vars, "name");
        int colon = name.lastIndexOf(':');
        String collection = colon < 0 ? name : name.substring(0, colon);
        String alias = colon < 0 ? "latest" : name.substring(colon + 1);
        Optional<Artifact> found = artifacts.values().stream()
                .filter(a -> a.entity.equals(entityName) && a.project.equals(project) && a.collection.equals(collection))
                .filter(a -> a.aliases.contains(alias) || ("v" + a.versionIndex).equals(alias))
                .findFirst();
        if (found.isEmpty()) {
            p.putNull("artifactCollectionMembership");
            return p;
        }
        Artifact a = found.get();
        ObjectNode m = p.putObject("artifactCollectionMembership");
        m.put("__typename", "ArtifactCollectionMembership");
        m.put("id", encode("ArtifactCollectionMembership", a.id));
        m.put("versionIndex", a.versionIndex);
        m.set("aliases", aliases(a));
        m.set("artifactCollection", collectionNode(a));
        m.set("artifact", artifactNode(a));
        return p;
    }

    private JsonNode artifactById(String id) {
        Artifact a = artifacts.get(id);
        return a == null ? NullNode.getInstance() : artifactNode(a);
    }

    private ObjectNode artifactNode(Artifact a) {
        ObjectNode o = NODES.objectNode();
        o.put("__typename", "Artifact");
        o.put("id", a.id);
        o.set("artifactSequence", collectionNode(a).put("__typename", "ArtifactSequence"));
        o.put("versionIndex", a.versionIndex);
        o.putObject("artifactType").put("name", a.type);
        o.put("description", "");
        o.put("metadata", "{}");
        o.put("state", a.state);
        o.put("size", a.files.values().stream().mapToLong(b -> b.length).sum());
        o.put("digest", md5(a.files.keySet().toString().getBytes(StandardCharsets.UTF_8)));
        o.put("fileCount", a.files.size());
        o.set("aliases", aliases(a));
        return o;
    }

    private static ArrayNode aliases(Artifact a) {
        ArrayNode out = NODES.arrayNode();
        for (String alias : a.aliases) {
            ObjectNode o = out.addObject();
            o.put("__typename", "ArtifactAlias");
            o.put("id", encode("ArtifactAlias", a.id + ":" + alias));
            o.put("alias", alias);
        }
        return out;
    }

    private static ObjectNode collectionNode(Artifact a) {
        ObjectNode c = NODES.objectNode();
        c.put("__typename", "ArtifactSequence");
        c.put("name", a.collection);
        ObjectNode p = c.putObject("project");
        p.put("name", a.project);
        p.putObject("entity").put("name", a.entity);
        return c;
    }

    private JsonNode fetchManifest(String id) {
        Artifact a = artifacts.get(id);
        if (a == null) {
            return NullNode.getInstance();
        }
        ObjectNode o = NODES.objectNode();
        o.putObject("currentManifest").putObject("file").put("directUrl",
                storageUrl.apply(signer.sign("/manifests/" + pathId(a.id))));
        return o;
    }

    private ObjectNode manifest(Artifact a) {
        ObjectNode m = NODES.objectNode();
        m.put("version", 1);
        m.put("storagePolicy", "wandb-storage-policy-v1");
        m.putObject("storagePolicyConfig").put("storageLayout", "V2");
        ObjectNode contents = m.putObject("contents");
        a.files.forEach((name, bytes) -> {
            ObjectNode e = contents.putObject(name);
            e.put("digest", md5(bytes));
            e.put("size", bytes.length);
        });
        return m;
    }

    private JsonNode fileUrls(ObjectNode vars) {
        Artifact a = artifacts.get(text(vars, "id"));
        if (a == null) {
            return NullNode.getInstance();
        }
        int perPage = vars.path("perPage").asInt(50);
        int start = vars.hasNonNull("cursor") ? Integer.parseInt(text(vars, "cursor")) : 0;
        List<String> names = new ArrayList<>(a.files.keySet());
        int end = Math.min(names.size(), start + Math.max(1, perPage));
        ObjectNode o = NODES.objectNode();
        ObjectNode files = o.putObject("files");
        ObjectNode page = files.putObject("pageInfo");
        page.put("__typename", "PageInfo");
        page.put("endCursor", Integer.toString(end));
        page.put("hasNextPage", end < names.size());
        ArrayNode edges = files.putArray("edges");
        for (String name : names.subList(Math.min(start, end), end)) {
            ObjectNode n = edges.addObject().putObject("node");
            n.put("__typename", "File");
            n.put("name", name);
            n.put("directUrl", storageUrl.apply(signer.sign("/files/" + pathId(a.id) + "/" + name)));
        }
        return o;
    }

    // ---------------------------------------------------------------- helpers

    private Optional<Queue> findQueue(String entityName, String project, String name) {
        return queues.values().stream()
                .filter(q -> q.entity.equals(entityName) && q.project.equals(project) && q.name.equals(name))
                .findFirst();
    }

    private String id(String type) {
        return encode(type, Long.toString(++sequence));
    }

    static String encode(String type, String value) {
        return Base64.getEncoder().encodeToString((type + ":" + value).getBytes(StandardCharsets.UTF_8));
    }

    private static String pathId(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodePathId(String s) {
        try {
            return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(ObjectNode vars, String name) {
        JsonNode v = vars.get(name);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static JsonNode jsonString(ObjectNode vars, String name) {
        JsonNode v = vars.get(name);
        if (v == null || v.isNull()) {
            return NullNode.getInstance();
        }
        if (!v.isTextual()) {
            // JSONString variables arrive as strings; accept an inline object too, as a lenient server would.
            return v;
        }
        try {
            return JSON.readTree(v.asText());
        } catch (JsonProcessingException e) {
            throw new GraphqlError("Variable \"$" + name + "\" got invalid value: not a JSON string ("
                    + e.getOriginalMessage() + ")");
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            Iterator<JsonNode> it = node.elements();
            it.forEachRemaining(n -> out.add(n.asText()));
        }
        return out;
    }

    // ---------------------------------------------------------------- records

    record User(String username, String defaultEntity) {
    }

    private static final class Entity {
        String id;
        String name;
        boolean team;
    }

    private static final class Queue {
        String id;
        String entity;
        String project;
        String name;
        String access = "PROJECT";
        String prioritizationMode = "";
        String configId = "";
        String createdBy = "";
        JsonNode externalLinks = NODES.objectNode();
    }

    private static final class ResourceConfig {
        String id;
        String entity;
        String resource;
        ObjectNode config;
        List<TemplateVariable> variables;
    }

    private static final class Item {
        String id;
        String queueId;
        JsonNode spec;
        boolean raw;
        int priority;
        long order;
        String state;
        String runId = "";
        String agentId = "";
        ItemView.Report failure;
        final List<ItemView.Report> warnings = new ArrayList<>();
    }

    private static final class Agent {
        String id;
        String name;
        String entity;
        String project;
        String hostname;
        List<String> queueIds;
        JsonNode config;
        String version;
        String status = "";
        final List<String> statuses = new ArrayList<>();
        boolean stopPolling;
        String heartbeatAt = "";
    }

    private static final class Run {
        String entity;
        String project;
        String name;
        String state;
        boolean stopped;
    }

    private static final class Artifact {
        String id;
        String entity;
        String project;
        String collection;
        String type;
        int versionIndex;
        List<String> aliases;
        String state;
        Map<String, byte[]> files;
    }
}
