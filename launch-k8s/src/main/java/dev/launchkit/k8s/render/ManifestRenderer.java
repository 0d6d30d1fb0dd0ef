package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.config.Quoted;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.core.run.RunEnvVar;
import dev.launchkit.core.run.RunEnvironment;
import dev.launchkit.k8s.Labels;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * Turns a job into the objects that run it: a pure function of the queue's {@code resource_args.kubernetes}, the
 * job (spec, run id, queue, item id), the image, the registry credentials and the agent's settings. It makes no API
 * call, so {@code launch-agent render} shows exactly what submission creates.
 *
 * <p>Steps, in order (reference §4.1–4.8, §4.13, and DESIGN "Decisions that differ"):
 * <ol>
 *   <li>{@code builder} and the agent-only keys ({@code namespace}, {@code group}, {@code version},
 *       {@code configFile}, {@code context}, {@code wait_for_ready}, {@code wait_timeout}) are taken out; they never
 *       reach the object.</li>
 *   <li>{@code ${macros}} are substituted ({@link Macros}); then, under {@code security: restricted}, unsafe keys are
 *       refused ({@link UnsafeKeys}).</li>
 *   <li>The namespace is resolved and checked against the allow-list ({@link NamespaceRules}).</li>
 *   <li>Batch Job path (no {@code apiVersion}, or {@code batch/v1}): the fragment is merged over
 *       {@code backoffLimit: 0}, {@code ttlSecondsAfterFinished: 60}, {@code restartPolicy: Never}, the image goes
 *       into container 0, containers are named {@code launch<i>}, entrypoint and args are applied, {@code WANDB_*}
 *       env is appended to every container. Custom resource path (any other {@code apiVersion}/{@code kind}): env,
 *       image (where missing) and overrides go to every container of every pod template found.</li>
 *   <li>Both paths: labels {@code wandb.ai/run-id}, {@code wandb.ai/monitor}, {@code wandb.ai/agent},
 *       {@code launchkit.dev/owner} on the object and every pod template, queue annotations on the object, a
 *       name derived from the run id, the container security context, the API key only through a
 *       {@code secretKeyRef} to {@code wandb-api-key-<run id>} (or the release's Secret), the pull Secret
 *       {@code regcred-<run id>} appended to {@code imagePullSecrets}.</li>
 *   <li>The Job, or every pod template of a custom resource, is parsed into the official client's typed model, so
 *       unknown or mistyped fields fail here with their key path.</li>
 * </ol>
 *
 * <p>Thread-safe and stateless apart from registering the secrets it handles with the masker.
 */
public final class ManifestRenderer {
    /** Keys of {@code resource_args.kubernetes} that configure the agent and never reach the object. */
    public static final Set<String> AGENT_ONLY_KEYS = Set.of("builder", "namespace", "group", "version",
            "configFile", "context", "wait_for_ready", "wait_timeout");
    /** The key of the API-key Secret that holds the key (W&B: basic-auth {@code password}). */
    public static final String API_KEY_SECRET_KEY = "password";
    private static final String API_KEY_VAR = "WANDB_API_KEY";
    private static final String RUN_ID_VAR = "WANDB_RUN_ID";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final RenderSettings settings;
    private final Map<String, String> env;
    private final SecretMasker masker;

    /**
     * @param settings the agent's settings
     * @param env      the agent's environment ({@code WANDB_BASE_URL}, {@code WANDB_API_KEY}, allow-listed macros)
     * @param masker   where the API key and registry password are registered as secrets
     */
    public ManifestRenderer(RenderSettings settings, Map<String, String> env, SecretMasker masker) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.env = Map.copyOf(env);
        this.masker = Objects.requireNonNull(masker, "masker");
    }

    public RenderSettings settings() {
        return settings;
    }

    /** Renders a run whose image needs no pull Secret. */
    public RenderedRun render(Job job, ImageRef image) {
        return render(job, image, Optional.empty());
    }

    /** Renders a run whose pods pull the image with {@code pullCredentials} (a {@code regcred-<run id>} Secret). */
    public RenderedRun render(Job job, ImageRef image, RegistryCredentials pullCredentials) {
        return render(job, image, Optional.of(pullCredentials));
    }

    /**
     * Renders the run.
     *
     * @throws LaunchException at stage {@link Stage#AGENT}, naming the key path, when the resource args are refused
     *                         (unsafe key, namespace not allowed, not a valid Job or pod template, bad name)
     */
    private RenderedRun render(Job job, ImageRef image, Optional<RegistryCredentials> pullCredentials) {
        ObjectNode args = job.spec().resourceArgs("kubernetes");
        Macros.of(job, image, settings.macroEnv(), env, masker).applyTo(args);
        Map<String, JsonNode> agentOnly = takeAgentOnlyKeys(args);
        checkCluster(agentOnly);
        if (settings.security() == SecurityPolicy.RESTRICTED) {
            refuseUnsafe(args);
        }
        requireShapes(args);
        NamespaceRules.Resolution ns = settings.namespaces().resolve(
                args.path("metadata").path("namespace").asText(""), text(agentOnly.get("namespace")));

        List<RunEnvVar> vars = RunEnvironment.variables(job, Optional.of(image.toString()), env);
        Optional<RunEnvVar> apiKey = vars.stream().filter(v -> v.name().equals(API_KEY_VAR)).findFirst();
        apiKey.ifPresent(k -> masker.register(k.value()));
        pullCredentials.ifPresent(c -> masker.register(c.password()));
        // The Helm release's shared Secret holds the agent's key; a run with its own key gets its own Secret.
        boolean shared = !settings.releaseName().isEmpty() && job.spec().wandbApiKey().isEmpty();
        String apiKeySecret = shared
                ? KubeNames.releaseApiKeySecretName(settings.releaseName()) : KubeNames.apiKeySecretName(job.runId());
        String pullSecret = KubeNames.pullSecretName(job.runId());

        String apiVersion = apiVersion(args, agentOnly);
        boolean batch = isBatch(apiVersion, args.path("kind").asText(""));
        ObjectNode manifest = batch ? jobManifest(args) : customManifest(args, apiVersion);
        metadata(manifest, job, ns.namespace(), batch);
        List<PodSpecs.Site> sites = PodSpecs.find(manifest);
        if (batch) {
            PodSpecs.Site pod = sites.stream().filter(s -> s.path().equals("spec.template.spec")).findFirst()
                    .orElseThrow(() -> shape("spec.template.spec", "a pod spec with a containers list"));
            jobContainers(pod, job, image, envEntries(vars, apiKeySecret, true));
        } else {
            customContainers(sites, job, image, vars, apiKeySecret);
        }
        for (PodSpecs.Site site : sites) {
            podTemplateLabels(site, job);
            securityContexts(site);
            pullCredentials.ifPresent(c -> appendPullSecret(site.spec(), pullSecret));
        }

        List<RenderedSecret> secrets = new ArrayList<>();
        apiKey.ifPresent(k -> secrets.add(apiKeySecret(apiKeySecret, ns.namespace(), k.value(), job, !shared)));
        pullCredentials.ifPresent(c -> secrets.add(pullSecret(pullSecret, ns.namespace(), c, job)));
        if (batch) {
            V1Job typed = ModelCheck.job(manifest);
            return new RenderedRun(ModelCheck.canonical(manifest, typed), secrets, typed);
        }
        sites.forEach(site -> ModelCheck.podSpec(site, manifest));
        return new RenderedRun(manifest, secrets, null);
    }

    // ---- resource args ----

    private static Map<String, JsonNode> takeAgentOnlyKeys(ObjectNode args) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String key : AGENT_ONLY_KEYS) {
            JsonNode value = args.remove(key);
            if (value != null && !value.isNull()) {
                out.put(key, value);
            }
        }
        return out;
    }

    /**
     * A queue may name the agent's own kubeconfig and context (W&B configs sometimes do), but not another cluster:
     * the monitor, the RBAC and the namespace allow-list all belong to the agent's.
     */
    private void checkCluster(Map<String, JsonNode> agentOnly) {
        String context = text(agentOnly.get("context"));
        if (!context.isEmpty() && !context.equals(settings.kubeContext())) {
            throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.context: " + Quoted.of(context) + " is not the "
                    + "context this agent submits through (" + (settings.kubeContext().isEmpty() ? "in-cluster"
                    : "'" + settings.kubeContext() + "'") + "). Every run goes to the agent's cluster: remove the key, "
                    + "or set runners.kubernetes.context on the agent");
        }
        String configFile = text(agentOnly.get("configFile"));
        if (!configFile.isEmpty() && !samePath(configFile, settings.kubeconfig())) {
            throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.configFile: " + Quoted.of(configFile) + " is not "
                    + "the kubeconfig this agent uses (" + (settings.kubeconfig().isEmpty() ? "in-cluster"
                    : "'" + settings.kubeconfig() + "'") + "). Every run goes to the agent's cluster: remove the key, "
                    + "or set runners.kubernetes.kubeconfig on the agent");
        }
    }

    private static boolean samePath(String a, String b) {
        if (b.isEmpty()) {
            return false;
        }
        String home = System.getProperty("user.home", "");
        Path pa = Path.of(a.startsWith("~/") ? home + a.substring(1) : a).toAbsolutePath().normalize();
        Path pb = Path.of(b.startsWith("~/") ? home + b.substring(1) : b).toAbsolutePath().normalize();
        return pa.equals(pb);
    }

    private static void refuseUnsafe(ObjectNode args) {
        List<UnsafeKeys.Violation> violations = UnsafeKeys.scan(args);
        if (!violations.isEmpty()) {
            throw new LaunchException(Stage.AGENT, "Unsafe resource_args.kubernetes option"
                    + (violations.size() > 1 ? "s" : "") + " not allowed under runners.kubernetes.security: restricted: "
                    + violations.stream().map(v -> "'" + v.path() + "' (" + v.reason() + ")")
                    .collect(Collectors.joining(", "))
                    + ". Remove " + (violations.size() > 1 ? "them" : "it") + " from the queue's resource config");
        }
    }

    /** Refuses a fragment whose structure the merge would otherwise silently overwrite. */
    private static void requireShapes(ObjectNode args) {
        requireObject(args, "metadata", "metadata");
        requireObject(args.path("metadata"), "labels", "metadata.labels");
        requireObject(args.path("metadata"), "annotations", "metadata.annotations");
        requireObject(args, "spec", "spec");
        for (String key : List.of("apiVersion", "kind")) {
            JsonNode v = args.get(key);
            if (v != null && !v.isTextual()) {
                throw shape(key, "a string");
            }
        }
    }

    private static void requireObject(JsonNode parent, String key, String path) {
        JsonNode v = parent.get(key);
        if (v != null && !v.isNull() && !v.isObject()) {
            throw shape(path, "a mapping");
        }
    }

    private static LaunchException shape(String path, String what) {
        return new LaunchException(Stage.AGENT, "resource_args.kubernetes." + path + " must be " + what
                + "; fix the queue's resource config");
    }

    /** {@code apiVersion}, with W&B's top-level {@code group} / {@code version} keys overriding its parts. */
    private static String apiVersion(ObjectNode args, Map<String, JsonNode> agentOnly) {
        String apiVersion = args.path("apiVersion").asText("");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        if (agentOnly.containsKey("group")) {
            group = text(agentOnly.get("group"));
        }
        if (agentOnly.containsKey("version")) {
            version = text(agentOnly.get("version"));
        }
        if (version.isEmpty()) {
            return group.isEmpty() ? "" : group + "/v1";
        }
        return group.isEmpty() ? version : group + "/" + version;
    }

    private static boolean isBatch(String apiVersion, String kind) {
        if (apiVersion.isEmpty()) {
            if (!kind.isEmpty() && !kind.equals("Job")) {
                throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.kind: " + Quoted.of(kind) + " needs an "
                        + "apiVersion (e.g. kubeflow.org/v1 for PyTorchJob); without one the resource args describe "
                        + "a batch/v1 Job");
            }
            return true;
        }
        boolean batchVersion = apiVersion.equals("batch/v1") || apiVersion.equals("batch/v1beta1");
        if (batchVersion && kind.isEmpty()) {
            return true;
        }
        if (kind.isEmpty()) {
            throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.kind is required with apiVersion "
                    + Quoted.of(apiVersion) + " (e.g. PyTorchJob, JobSet, RayJob)");
        }
        return batchVersion && kind.equals("Job");
    }

    // ---- batch Job ----

    private static ObjectNode jobManifest(ObjectNode args) {
        ObjectNode defaults = NODES.objectNode();
        ObjectNode spec = defaults.putObject("spec");
        spec.put("backoffLimit", 0);
        spec.put("ttlSecondsAfterFinished", 60);
        ObjectNode podSpec = spec.putObject("template").putObject("spec");
        podSpec.put("restartPolicy", "Never");
        podSpec.putArray("containers").addObject();
        ObjectNode manifest = JsonTrees.merge(defaults, args);
        // batch/v1beta1 Jobs no longer exist (Kubernetes 1.25 removed them); W&B treats both the same.
        manifest.put("apiVersion", "batch/v1");
        manifest.put("kind", "Job");
        ObjectNode pod = JsonTrees.object(JsonTrees.object(JsonTrees.object(manifest, "spec"), "template"), "spec");
        JsonNode containers = pod.get("containers");
        if (containers == null || !containers.isArray() || containers.isEmpty()) {
            if (containers != null && !containers.isArray()) {
                throw shape("spec.template.spec.containers", "a list");
            }
            pod.putArray("containers").addObject();
        }
        JsonNode list = pod.get("containers");
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).isObject()) {
                throw shape("spec.template.spec.containers[" + i + "]", "a mapping (a container)");
            }
        }
        return reorder(manifest);
    }

    /** The W&B image, name, entrypoint and env rules for a Job's pod (reference §4.4.3–4.4.5). */
    private static void jobContainers(PodSpecs.Site site, Job job, ImageRef image, ArrayNode env) {
        List<ObjectNode> containers = site.containers();
        for (int i = 0; i < containers.size(); i++) {
            if (containers.get(i).path("name").asText("").isEmpty()) {
                containers.get(i).put("name", "launch" + i);
            }
        }
        boolean imageJob = job.source() instanceof JobSource.Image || job.spec().dockerImage().isPresent();
        boolean anyImage = containers.stream().anyMatch(c -> !c.path("image").asText("").isEmpty());
        if (imageJob || !anyImage) {
            containers.get(0).put("image", image.toString());
        }
        List<String> override = job.spec().entryPoint();
        List<String> entry = override.isEmpty() ? job.source().entrypoint() : override;
        for (ObjectNode c : containers) {
            overrides(c, job.spec().args(), entry, !override.isEmpty());
            appendEnv(c, env);
        }
    }

    // ---- custom resource ----

    private static ObjectNode customManifest(ObjectNode args, String apiVersion) {
        ObjectNode manifest = args.deepCopy();
        manifest.put("apiVersion", apiVersion);
        return reorder(manifest);
    }

    /**
     * Every main container of every pod template gets the env (W&B adds {@code WANDB_RUN_ID} to the first container
     * only, so that only one process of a distributed run claims the W&B run), the override args and entry point,
     * and the image where it names none (W&B leaves it out, and the API server then refuses the object).
     */
    private static void customContainers(List<PodSpecs.Site> sites, Job job, ImageRef image, List<RunEnvVar> vars,
                                         String apiKeySecret) {
        ArrayNode first = envEntries(vars, apiKeySecret, true);
        ArrayNode rest = envEntries(vars, apiKeySecret, false);
        boolean firstDone = false;
        for (PodSpecs.Site site : sites) {
            for (ObjectNode c : site.containers()) {
                if (c.path("image").asText("").isEmpty()) {
                    c.put("image", image.toString());
                }
                overrides(c, job.spec().args(), job.spec().entryPoint(), true);
                appendEnv(c, firstDone ? rest : first);
                firstDone = true;
            }
        }
    }

    // ---- shared steps ----

    private void metadata(ObjectNode manifest, Job job, String namespace, boolean batch) {
        ObjectNode meta = JsonTrees.object(manifest, "metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            name = KubeNames.objectName(job.runId(), job.spec().resumeCount());
        } else if (batch ? !KubeNames.isDnsLabel(name) : !KubeNames.isDnsSubdomain(name)) {
            throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.metadata.name: " + Quoted.of(name) + " is not a "
                    + "valid " + (batch ? "Job name (RFC 1123 label: lower-case letters, digits and '-', at most 63 "
                    + "characters)" : "object name (lower-case letters, digits, '-' and '.')")
                    + ". Leave it out to get launch-<run id>");
        }
        // A generated name would defeat the 409 → adopt idempotency; the name is always fixed.
        meta.remove("generateName");
        ObjectNode ordered = NODES.objectNode().put("name", name).put("namespace", namespace);
        meta.fields().forEachRemaining(e -> ordered.putIfAbsent(e.getKey(), e.getValue()));
        meta.removeAll().setAll(ordered);
        ObjectNode labels = JsonTrees.object(meta, "labels");
        runLabels(job).forEach(labels::put);
        ObjectNode annotations = JsonTrees.object(meta, "annotations");
        annotations.put(Labels.QUEUE, job.queueName());
        annotations.put(Labels.ITEM_ID, job.itemId());
        if (!job.entity().isEmpty()) {
            annotations.put(Labels.ENTITY, job.entity());
        }
    }

    private Map<String, String> runLabels(Job job) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.RUN_ID, KubeNames.labelValue(job.runId()));
        labels.put(Labels.MONITOR, "true");
        labels.put(Labels.AGENT, settings.agentName());
        labels.put(Labels.OWNER, settings.owner());
        return labels;
    }

    private void podTemplateLabels(PodSpecs.Site site, Job job) {
        site.template().ifPresent(t -> {
            ObjectNode labels = JsonTrees.object(JsonTrees.object(t, "metadata"), "labels");
            runLabels(job).forEach(labels::put);
        });
    }

    private void securityContexts(PodSpecs.Site site) {
        for (Map.Entry<String, ObjectNode> c : site.allContainers()) {
            // Under restricted, a submitted securityContext was already refused; the forced one is set everywhere.
            if (settings.security() == SecurityPolicy.RESTRICTED || !c.getValue().has("securityContext")
                    || c.getValue().get("securityContext").isNull()) {
                c.getValue().set("securityContext", restrictedContext());
            }
        }
    }

    /** {@code allowPrivilegeEscalation: false}, {@code capabilities.drop: [ALL]}, {@code seccompProfile: RuntimeDefault}. */
    static ObjectNode restrictedContext() {
        ObjectNode sc = NODES.objectNode();
        sc.put("allowPrivilegeEscalation", false);
        sc.putObject("capabilities").putArray("drop").add("ALL");
        sc.putObject("seccompProfile").put("type", "RuntimeDefault");
        return sc;
    }

    private static void overrides(ObjectNode c, List<String> args, List<String> entry, boolean entryIsOverride) {
        if (!args.isEmpty()) {
            ArrayNode a = c.putArray("args");
            args.forEach(a::add);
        }
        if (!entry.isEmpty() && (entryIsOverride || !c.has("command"))) {
            ArrayNode cmd = c.putArray("command");
            entry.forEach(cmd::add);
        }
    }

    /**
     * The run's variables as env entries; the API key as a {@code secretKeyRef}, never as a value.
     *
     * @param withRunId whether {@code WANDB_RUN_ID} is included
     */
    private static ArrayNode envEntries(List<RunEnvVar> vars, String apiKeySecret, boolean withRunId) {
        ArrayNode out = NODES.arrayNode();
        for (RunEnvVar v : vars) {
            if (!withRunId && v.name().equals(RUN_ID_VAR)) {
                continue;
            }
            ObjectNode e = out.addObject().put("name", v.name());
            if (v.secret()) {
                e.putObject("valueFrom").putObject("secretKeyRef").put("name", apiKeySecret)
                        .put("key", API_KEY_SECRET_KEY);
            } else {
                e.put("value", v.value());
            }
        }
        return out;
    }

    /**
     * Appends the run's variables to a container's env, as W&B does. Earlier entries of the same names are dropped
     * first: the agent's entry would win anyway (the last duplicate does), and a queue's own plain
     * {@code WANDB_API_KEY} must not stay in the pod spec next to the secret reference.
     */
    private static void appendEnv(ObjectNode container, ArrayNode entries) {
        JsonNode existing = container.get("env");
        if (existing != null && !existing.isNull() && !existing.isArray()) {
            throw new LaunchException(Stage.AGENT, "resource_args.kubernetes: a container's env must be a list of "
                    + "{name, value} entries, got " + existing.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                    + "; fix the queue's resource config");
        }
        Set<String> ours = new HashSet<>();
        entries.forEach(e -> ours.add(e.path("name").asText()));
        ArrayNode env = NODES.arrayNode();
        if (existing != null) {
            existing.forEach(e -> {
                if (!ours.contains(e.path("name").asText())) {
                    env.add(e);
                }
            });
        }
        entries.forEach(e -> env.add(e.deepCopy()));
        container.set("env", env);
    }

    private static void appendPullSecret(ObjectNode podSpec, String name) {
        ArrayNode list = JsonTrees.array(podSpec, "imagePullSecrets");
        for (JsonNode ref : list) {
            if (name.equals(ref.path("name").asText())) {
                return;
            }
        }
        list.addObject().put("name", name);
    }

    // ---- secrets ----

    private RenderedSecret apiKeySecret(String name, String namespace, String key, Job job, boolean perRun) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.CREATED_BY, "launch-agent");
        labels.put(Labels.OWNER, settings.owner());
        if (perRun) {
            labels.put(Labels.RUN_ID, KubeNames.labelValue(job.runId()));
        }
        V1Secret secret = new V1Secret().apiVersion("v1").kind("Secret")
                .metadata(new V1ObjectMeta().name(name).namespace(namespace).labels(labels))
                .type("kubernetes.io/basic-auth")
                .data(Map.of(API_KEY_SECRET_KEY, key.getBytes(StandardCharsets.UTF_8)));
        return new RenderedSecret(secret, RenderedSecret.Purpose.API_KEY, perRun);
    }

    private RenderedSecret pullSecret(String name, String namespace, RegistryCredentials credentials, Job job) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.CREATED_BY, "launch-agent");
        labels.put(Labels.OWNER, settings.owner());
        labels.put(Labels.RUN_ID, KubeNames.labelValue(job.runId()));
        V1Secret secret = new V1Secret().apiVersion("v1").kind("Secret")
                .metadata(new V1ObjectMeta().name(name).namespace(namespace).labels(labels))
                .type("kubernetes.io/dockerconfigjson")
                .data(Map.of(".dockerconfigjson",
                        DockerConfigs.of(List.of(credentials)).getBytes(StandardCharsets.UTF_8)));
        return new RenderedSecret(secret, RenderedSecret.Purpose.IMAGE_PULL, true);
    }

    // ---- helpers ----

    /** apiVersion, kind, metadata first: the order kubectl users expect to read. */
    private static ObjectNode reorder(ObjectNode manifest) {
        JsonTrees.object(manifest, "metadata");
        ObjectNode out = NODES.objectNode();
        for (String key : List.of("apiVersion", "kind", "metadata")) {
            out.set(key, manifest.get(key));
        }
        manifest.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? "" : node.asText().strip();
    }
}
