package dev.launchkit.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The agent configuration, loaded from {@code launch-config.yaml} exactly as the W&B agent resolves it: built-in
 * defaults, then the file, then {@code WANDB_ENTITY} / {@code WANDB_LAUNCH_MAX_JOBS}, then command-line flags
 * ({@link #withOverrides}), then the legacy {@code queue:} key appended to {@code queues}.
 *
 * <p>Besides the W&B keys, LaunchKit reads {@code queue_backend}, {@code runners}, {@code default_resource},
 * {@code preemption} and {@code shutdown} (see the README's configuration reference). Unknown keys are reported
 * in {@link #warnings()}, not refused. Immutable.
 *
 * <pre>{@code
 * LaunchConfig config = LaunchConfig.load(Path.of("launch-config.yaml"), System.getenv());
 * config.queues();   // [k8s-test]
 * config.maxJobs();  // 10, or -1 for unlimited
 * }</pre>
 */
public final class LaunchConfig {
    /** Where the W&B agent looks for its config, relative to {@code HOME}. */
    public static final String DEFAULT_PATH = ".config/wandb/launch-config.yaml";
    /** {@link #maxJobs()} value meaning "no limit". */
    public static final int UNLIMITED = -1;

    static final Set<String> WANDB_KEYS = Set.of("entity", "queues", "queue", "max_jobs", "max_schedulers",
            "secure_mode", "verbosity", "stopped_run_timeout", "environment", "registry", "builder", "project", "runner");
    static final Set<String> LAUNCHKIT_KEYS = Set.of("queue_backend", "runners", "default_resource", "preemption",
            "shutdown", "agent_name");

    private final ConfigNode root;
    private final String entity;
    private final List<String> queues;
    private final int maxJobs;
    private final int maxSchedulers;
    private final int verbosity;
    private final List<String> warnings;

    private LaunchConfig(ConfigNode root, String entity, List<String> queues, int maxJobs, int maxSchedulers,
                         int verbosity, List<String> warnings) {
        this.root = root;
        this.entity = entity;
        this.queues = List.copyOf(queues);
        this.maxJobs = maxJobs;
        this.maxSchedulers = maxSchedulers;
        this.verbosity = verbosity;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Loads an explicitly named file; a missing file is an error (as {@code --config} is in W&B).
     *
     * @param env the process environment ({@code WANDB_ENTITY}, {@code WANDB_LAUNCH_MAX_JOBS})
     */
    public static LaunchConfig load(Path file, Map<String, String> env) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return parse(text, file.getFileName().toString(), env);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file; pass an existing launch-config.yaml, or leave out "
                    + "--config to use ~/" + DEFAULT_PATH);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Loads {@code $HOME/.config/wandb/launch-config.yaml}; a missing default file counts as empty. */
    public static LaunchConfig loadDefault(Map<String, String> env) {
        Path file = defaultPath(env);
        if (!Files.exists(file)) {
            return parse("", DEFAULT_PATH, env);
        }
        return load(file, env);
    }

    /** The default config path for an environment ({@code HOME}, else the JVM's user home). */
    public static Path defaultPath(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home).resolve(DEFAULT_PATH);
    }

    /**
     * Parses config text.
     *
     * @param source the file name used in messages
     * @throws ConfigException naming the file, line and key of the first problem
     */
    public static LaunchConfig parse(String yaml, String source, Map<String, String> env) {
        ConfigNode root = YamlTree.parse(yaml, source);
        if (!root.isMissing() && !root.json().isObject()) {
            throw new ConfigException(source + ": the config must be a mapping of keys to values (entity:, queues:, ...)");
        }
        List<String> warnings = new ArrayList<>();
        for (String key : root.keys()) {
            if (!WANDB_KEYS.contains(key) && !LAUNCHKIT_KEYS.contains(key)) {
                warnings.add(root.child(key).location() + ": '" + key + "' is not a launch-config key and is ignored"
                        + suggestion(key));
            }
        }
        String entity = root.optString("entity").orElse("");
        if (env.containsKey("WANDB_ENTITY") && !env.get("WANDB_ENTITY").isBlank()) {
            entity = env.get("WANDB_ENTITY");
        }
        List<String> queues = new ArrayList<>(root.strings("queues"));
        int maxJobs = root.integer("max_jobs", 1);
        String envMax = env.get("WANDB_LAUNCH_MAX_JOBS");
        if (envMax != null && !envMax.isBlank()) {
            try {
                maxJobs = Integer.parseInt(envMax.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("WANDB_LAUNCH_MAX_JOBS: '" + envMax + "' is not an integer; set a number of "
                        + "jobs, or -1 for unlimited");
            }
        }
        checkJobLimit(maxJobs, root.child("max_jobs"));
        int maxSchedulers = root.integer("max_schedulers", 1);
        checkJobLimit(maxSchedulers, root.child("max_schedulers"));
        int verbosity = root.integer("verbosity", 0);
        ConfigNode legacy = root.child("queue");
        if (!legacy.isMissing()) {
            if (!legacy.json().isTextual()) {
                throw legacy.error("the legacy 'queue' key must be a single queue name; use 'queues:' for a list");
            }
            String q = legacy.json().asText();
            if (!queues.contains(q)) {
                queues.add(q);
            }
        }
        for (int i = 0; i < queues.size(); i++) {
            if (queues.get(i).isBlank()) {
                throw root.child("queues").element(i).error("queue names must not be empty");
            }
        }
        root.bool("secure_mode", false);
        root.integer("stopped_run_timeout", 60);
        for (String block : List.of("environment", "registry", "builder", "queue_backend", "runners", "runner", "preemption",
                "shutdown")) {
            root.child(block).object();
        }
        if (root.has("registry")) {
            warnings.add(root.child("registry").location() + ": registry is deprecated; set builder.destination to "
                    + "the image repository instead");
        }
        if (!root.child("builder").keys().isEmpty() && root.child("builder").optString("type").isEmpty()) {
            throw root.child("builder").child("type").error("is required when a builder block is given "
                    + "(for example 'noop' or 'kaniko')");
        }
        checkEnvironmentKeys(root.child("environment"), warnings);
        return new LaunchConfig(root, entity, queues, maxJobs, maxSchedulers, verbosity, warnings);
    }

    private static void checkJobLimit(int value, ConfigNode where) {
        if (value == 0 || value < UNLIMITED) {
            throw where.error("must be a positive number of jobs, or -1 for unlimited (got " + value + ")");
        }
    }

    private static void checkEnvironmentKeys(ConfigNode environment, List<String> warnings) {
        for (String key : environment.keys()) {
            if (!key.equals("type") && !key.equals("region")) {
                warnings.add(environment.child(key).location() + ": Unrecognized field " + key
                        + " in environment block; it is passed to the environment plugin");
            }
        }
    }

    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        Set<String> all = new LinkedHashSet<>(WANDB_KEYS);
        all.addAll(LAUNCHKIT_KEYS);
        for (String k : all) {
            int d = distance(key.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? " — did you mean '" + best + "'?" : "";
    }

    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * Command-line flags, applied after the file and environment as W&B does: {@code -q} replaces the queues,
     * {@code -e} sets the entity, {@code -j} the job limit, {@code -v} the verbosity (only when greater than 0).
     */
    public LaunchConfig withOverrides(Optional<String> cliEntity, List<String> cliQueues, Optional<Integer> cliMaxJobs,
                                      int cliVerbosity) {
        int jobs = cliMaxJobs.orElse(maxJobs);
        checkJobLimit(jobs, ConfigNode.empty("--max-jobs"));
        List<String> q = cliQueues.isEmpty() ? queues : List.copyOf(new LinkedHashSet<>(cliQueues));
        return new LaunchConfig(root, cliEntity.filter(e -> !e.isBlank()).orElse(entity), q, jobs, maxSchedulers,
                cliVerbosity > 0 ? cliVerbosity : verbosity, warnings);
    }

    /** The whole file, for plugin blocks and locations. */
    public ConfigNode root() {
        return root;
    }

    /** The entity owning the queues; empty when neither the file, {@code WANDB_ENTITY} nor {@code -e} set one. */
    public Optional<String> entity() {
        return entity.isEmpty() ? Optional.empty() : Optional.of(entity);
    }

    /** Queue names to poll round-robin (legacy {@code queue:} included). */
    public List<String> queues() {
        return queues;
    }

    /** Concurrent jobs; {@link #UNLIMITED} for no limit. */
    public int maxJobs() {
        return maxJobs;
    }

    public int maxSchedulers() {
        return maxSchedulers;
    }

    public int verbosity() {
        return verbosity;
    }

    public boolean secureMode() {
        return root.bool("secure_mode", false);
    }

    /** How long after a user's stop request a run is force-cancelled (W&B default 60 s). */
    public Duration stoppedRunTimeout() {
        return Duration.ofSeconds(root.integer("stopped_run_timeout", 60));
    }

    /** The {@code environment} block (missing when not configured). */
    public ConfigNode environment() {
        return root.child("environment");
    }

    /** The deprecated {@code registry} block (missing when not configured). */
    public ConfigNode registry() {
        return root.child("registry");
    }

    /** The {@code builder} block (missing when not configured). */
    public ConfigNode builder() {
        return root.child("builder");
    }

    /** The {@code queue_backend} block; its {@code type} defaults to {@code wandb}. */
    public ConfigNode queueBackend() {
        return root.child("queue_backend");
    }

    /** The queue backend type: {@code queue_backend.type}, default {@code wandb}. */
    public String queueBackendType() {
        return queueBackend().string("type", "wandb");
    }

    /**
     * The {@code runners.<type>} block (missing when not configured). For {@code kubernetes}, W&B's own
     * {@code runner:} block (with {@code namespace}) is used when there is no {@code runners.kubernetes} block.
     */
    public ConfigNode runner(String type) {
        ConfigNode own = root.child("runners").child(type);
        if (own.isMissing() && type.equals("kubernetes") && root.has("runner")) {
            return root.child("runner");
        }
        return own;
    }

    /** Runner types configured under {@code runners:}. */
    public List<String> configuredRunners() {
        return root.child("runners").keys();
    }

    /** The runner used for specs without {@code resource}: {@code default_resource}, default {@code kubernetes}. */
    public String defaultResource() {
        return root.string("default_resource", "kubernetes");
    }

    /** Whether preempted runs are pushed back on their queue ({@code preemption.requeue}, default true). */
    public boolean requeueOnPreemption(String queue) {
        ConfigNode perQueue = root.child("preemption").child("queues").child(queue);
        return perQueue.optBoolean("requeue").orElse(root.child("preemption").bool("requeue", true));
    }

    /** How many times a preempted run is resumed ({@code preemption.max_attempts}, default 5, as W&B). */
    public int maxRequeueAttempts(String queue) {
        ConfigNode perQueue = root.child("preemption").child("queues").child(queue);
        return perQueue.optInt("max_attempts").orElse(root.child("preemption").integer("max_attempts", 5));
    }

    /** Whether active runs are cancelled when the agent shuts down ({@code shutdown.cancel_runs}, default false). */
    public boolean cancelRunsOnShutdown() {
        return root.child("shutdown").bool("cancel_runs", false);
    }

    /** Messages about ignored or deprecated keys, each with file and line. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The resolved config as W&B sends it to the server at registration (without {@code project}), with the values
     * of secret keys masked.
     *
     * @param secretKeys key names (at any depth) whose values are secret
     */
    public ObjectNode toAgentConfigJson(Collection<String> secretKeys) {
        ObjectNode out = (ObjectNode) root.json();
        out.remove("project");
        out.remove("queue");
        if (!entity.isEmpty()) {
            out.put("entity", entity);
        }
        out.set("queues", out.arrayNode().addAll(queues.stream().map(out::textNode).toList()));
        out.put("max_jobs", maxJobs);
        out.put("max_schedulers", maxSchedulers);
        out.put("verbosity", verbosity);
        maskSecrets(out, Set.copyOf(secretKeys));
        return out;
    }

    private static void maskSecrets(JsonNode node, Set<String> secretKeys) {
        if (node instanceof ObjectNode obj) {
            List<String> names = new ArrayList<>();
            obj.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (secretKeys.contains(name) && obj.get(name).isValueNode() && !obj.get(name).isNull()) {
                    obj.put(name, "****");
                } else {
                    maskSecrets(obj.get(name), secretKeys);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(n -> maskSecrets(n, secretKeys));
        }
    }
}
