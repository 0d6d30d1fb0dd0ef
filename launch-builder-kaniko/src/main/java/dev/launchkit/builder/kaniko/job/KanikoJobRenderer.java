package dev.launchkit.builder.kaniko.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.k8s.Labels;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders the Kaniko Job of one build, the way the W&B agent does, from the user's {@code builder.kaniko-config}
 * (a partial batch/v1 Job) and the builder's own settings.
 *
 * <p>The partial Job is the starting point; everything the builder adds goes only where the user set nothing
 * (labels, restartPolicy, serviceAccountName, activeDeadlineSeconds, backoffLimit, container name and image), except
 * what the build cannot work without: the Job's name and namespace, the monitor labels, and the executor's
 * {@code --context}, {@code --dockerfile} and {@code --destination} arguments. Executor arguments follow W&B:
 * {@code --context --dockerfile --destination --cache=true --cache-repo --snapshot-mode=redo
 * --compressed-caching=false}, then every {@code --key=value} of the partial Job's container replaces or adds one.
 * Environment variables, volumes and mounts of the partial Job are kept; the builder's are appended unless one of
 * the same name exists. No security hardening is applied: the Kaniko executor has to run as root.
 *
 * <p>Stateless and thread-safe.
 */
public final class KanikoJobRenderer {
    /** The default executor container name (W&B's, for kubectl habits). */
    public static final String CONTAINER = "wandb-container-build";
    /** Labels W&B puts on build Jobs and pods. */
    public static final String WANDB_LABEL = "wandb";
    /** Marks the objects as a build, so nothing mistakes them for a run. */
    public static final String ROLE_LABEL = "launchkit.dev/role";
    static final String DOCKER_CONFIG_DIR = "/kaniko/.docker";
    static final String PVC_MOUNT = "/context";
    private static final Set<String> OWNED_ARGS = Set.of("--context", "--dockerfile", "--destination");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Checks a {@code builder.kaniko-config} block once, when the builder is created.
     *
     * @throws ConfigException naming the key when it is not a partial batch/v1 Job with at most one container
     */
    public static void validate(ObjectNode partial, String where) {
        String apiVersion = partial.path("apiVersion").asText("batch/v1");
        String kind = partial.path("kind").asText("Job");
        if (!apiVersion.equals("batch/v1") || !kind.equals("Job")) {
            throw new ConfigException(where + ": must be a (partial) batch/v1 Job, got " + apiVersion + " " + kind);
        }
        JsonNode containers = partial.path("spec").path("template").path("spec").path("containers");
        if (!containers.isMissingNode() && (!containers.isArray() || containers.size() > 1)) {
            throw new ConfigException(where + ".spec.template.spec.containers: at most one container can be configured "
                    + "(the Kaniko executor); move other settings to that single container");
        }
        for (JsonNode arg : containers.path(0).path("args")) {
            if (!arg.isTextual()) {
                throw new ConfigException(where + ".spec.template.spec.containers[0].args: expected strings such as "
                        + "'--cache=false', got " + arg);
            }
        }
        try {
            // Rendering with placeholder values fills the fields a fragment may leave out (container name, image),
            // so only real mistakes (unknown fields, wrong types) remain.
            new KanikoJobRenderer().render(new BuildJobRequest("validate", "validate", "validate", "validate",
                    "validate", "validate", "validate", "validate", "default", 1, 1, new RegistryAuth.Anonymous(),
                    List.of(), Map.of(), Map.of(), "", Map.of(), partial));
        } catch (IllegalArgumentException | com.google.gson.JsonParseException e) {
            throw new ConfigException(where + ": not a valid Job fragment: " + e.getMessage(), e);
        }
    }

    /** Renders the Job and its companions. */
    public RenderedBuild render(BuildJobRequest r) {
        ObjectNode job = r.kanikoConfig();
        job.put("apiVersion", "batch/v1");
        job.put("kind", "Job");
        ObjectNode meta = object(job, "metadata");
        meta.put("name", r.name());
        meta.put("namespace", r.namespace());
        meta.remove("generateName");
        ObjectNode labels = object(meta, "labels");
        labels.put(Labels.MONITOR, "true");
        labels.put(Labels.OWNER, r.owner());
        labels.put(ROLE_LABEL, "build");
        putIfAbsent(labels, WANDB_LABEL, "launch");

        ObjectNode spec = object(job, "spec");
        putIfAbsent(spec, "backoffLimit", 0);
        ObjectNode template = object(spec, "template");
        ObjectNode podLabels = object(object(template, "metadata"), "labels");
        podLabels.put(Labels.MONITOR, "true");
        podLabels.put(Labels.OWNER, r.owner());
        podLabels.put(ROLE_LABEL, "build");
        putIfAbsent(podLabels, WANDB_LABEL, "launch");
        r.podLabels().forEach(podLabels::put);
        ObjectNode pod = object(template, "spec");
        if (!spec.has("activeDeadlineSeconds") && !pod.has("activeDeadlineSeconds")) {
            spec.put("activeDeadlineSeconds", r.activeDeadline());
        }
        putIfAbsent(spec, "ttlSecondsAfterFinished", r.ttlAfterFinished());
        putIfAbsent(pod, "restartPolicy", "Never");
        putIfAbsent(pod, "serviceAccountName", r.serviceAccount());

        ArrayNode containers = array(pod, "containers");
        ObjectNode container = containers.isEmpty() ? containers.addObject() : (ObjectNode) containers.get(0);
        putIfAbsent(container, "name", CONTAINER);
        putIfAbsent(container, "image", r.kanikoImage());
        container.set("args", MAPPER.valueToTree(args(r, container.path("args"))));

        List<V1ConfigMap> configMaps = new ArrayList<>();
        List<V1Secret> secrets = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(r.env());
        auth(r, pod, container, configMaps, secrets);
        for (CloudSecret cs : r.cloudSecrets()) {
            cloudSecret(cs, pod, container, env);
        }
        if (!r.pvcName().isEmpty()) {
            ObjectNode vol = volume(pod, "kaniko-pvc");
            if (vol != null) {
                vol.putObject("persistentVolumeClaim").put("claimName", r.pvcName()).put("readOnly", true);
            }
            mount(container, "kaniko-pvc", PVC_MOUNT, true);
        }
        env.forEach((k, v) -> env(container, k, v));
        r.secretEnv().forEach((k, ref) -> secretEnv(container, k, ref.get(0), ref.get(1)));
        return new RenderedBuild(toJob(job), configMaps, secrets);
    }

    /** W&B's argument list, then the user's {@code --key=value} arguments replacing or adding entries. */
    static List<String> args(BuildJobRequest r, JsonNode userArgs) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("--context", r.context());
        args.put("--dockerfile", dev.launchkit.builder.kaniko.context.ContextPlan.DOCKERFILE);
        args.put("--destination", stripScheme(r.destination()));
        args.put("--cache", "true");
        args.put("--cache-repo", stripScheme(r.cacheRepo()));
        args.put("--snapshot-mode", "redo");
        args.put("--compressed-caching", "false");
        List<String> verbatim = new ArrayList<>();
        for (JsonNode a : userArgs) {
            String arg = a.asText();
            if (!arg.startsWith("--")) {
                verbatim.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String key = eq < 0 ? arg : arg.substring(0, eq);
            if (OWNED_ARGS.contains(key)) {
                // The build writes these itself; letting the config change them would push somewhere else than
                // the image the run is started with.
                continue;
            }
            args.put(key, eq < 0 ? null : arg.substring(eq + 1));
        }
        List<String> out = new ArrayList<>();
        args.forEach((k, v) -> out.add(v == null ? k : k + "=" + v));
        out.addAll(verbatim);
        return out;
    }

    private static void auth(BuildJobRequest r, ObjectNode pod, ObjectNode container, List<V1ConfigMap> configMaps,
                             List<V1Secret> secrets) {
        String name = BuildJobNames.dockerConfig(r.name());
        if (r.auth() instanceof RegistryAuth.UserSecret user) {
            ObjectNode vol = volume(pod, "kaniko-docker-config");
            if (vol != null) {
                ObjectNode secret = vol.putObject("secret").put("secretName", user.secretName());
                secret.putArray("items").addObject().put("key", ".dockerconfigjson").put("path", "config.json");
            }
            mount(container, "kaniko-docker-config", DOCKER_CONFIG_DIR, true);
        } else if (r.auth() instanceof RegistryAuth.CredentialHelpers helpers) {
            ObjectNode config = MAPPER.createObjectNode();
            ObjectNode ch = config.putObject("credHelpers");
            new java.util.TreeMap<>(helpers.helpers()).forEach(ch::put);
            V1ConfigMap cm = new V1ConfigMap().apiVersion("v1").kind("ConfigMap")
                    .metadata(companionMeta(r, name)).immutable(true)
                    .data(Map.of("config.json", config.toString()));
            configMaps.add(cm);
            ObjectNode vol = volume(pod, "kaniko-docker-config");
            if (vol != null) {
                vol.putObject("configMap").put("name", name);
            }
            mount(container, "kaniko-docker-config", DOCKER_CONFIG_DIR, true);
        } else if (r.auth() instanceof RegistryAuth.DockerConfig docker) {
            V1Secret secret = new V1Secret().apiVersion("v1").kind("Secret").metadata(companionMeta(r, name))
                    .type("kubernetes.io/dockerconfigjson").immutable(true)
                    .data(Map.of(".dockerconfigjson", docker.json().getBytes(StandardCharsets.UTF_8)));
            secrets.add(secret);
            ObjectNode vol = volume(pod, "kaniko-docker-config");
            if (vol != null) {
                ObjectNode s = vol.putObject("secret").put("secretName", name);
                s.putArray("items").addObject().put("key", ".dockerconfigjson").put("path", "config.json");
            }
            mount(container, "kaniko-docker-config", DOCKER_CONFIG_DIR, true);
        }
    }

    private static void cloudSecret(CloudSecret cs, ObjectNode pod, ObjectNode container, Map<String, String> env) {
        String volumeName = "kaniko-cloud-credentials";
        String file = cs.cloud() == CloudSecret.Cloud.AWS ? "credentials" : "config.json";
        String dir = cs.cloud() == CloudSecret.Cloud.AWS ? "/root/.aws" : "/kaniko/.config/gcloud";
        ObjectNode vol = volume(pod, volumeName);
        if (vol != null) {
            ObjectNode s = vol.putObject("secret").put("secretName", cs.name());
            s.putArray("items").addObject().put("key", cs.key()).put("path", file);
        }
        mount(container, volumeName, dir, true);
        if (cs.cloud() == CloudSecret.Cloud.GCP) {
            env.putIfAbsent("GOOGLE_APPLICATION_CREDENTIALS", dir + "/" + file);
        } else {
            env.putIfAbsent("AWS_SHARED_CREDENTIALS_FILE", dir + "/" + file);
        }
    }

    private static V1ObjectMeta companionMeta(BuildJobRequest r, String name) {
        return new V1ObjectMeta().name(name).namespace(r.namespace())
                .putLabelsItem(Labels.OWNER, r.owner())
                .putLabelsItem(ROLE_LABEL, "build")
                .putLabelsItem(WANDB_LABEL, "launch");
    }

    /** The volume entry to fill, or {@code null} when the partial Job already defines one of that name. */
    private static ObjectNode volume(ObjectNode pod, String name) {
        ArrayNode volumes = array(pod, "volumes");
        for (JsonNode v : volumes) {
            if (name.equals(v.path("name").asText())) {
                return null;
            }
        }
        return volumes.addObject().put("name", name);
    }

    private static void mount(ObjectNode container, String volume, String path, boolean readOnly) {
        ArrayNode mounts = array(container, "volumeMounts");
        for (JsonNode m : mounts) {
            if (path.equals(m.path("mountPath").asText())) {
                return;
            }
        }
        mounts.addObject().put("name", volume).put("mountPath", path).put("readOnly", readOnly);
    }

    private static void env(ObjectNode container, String name, String value) {
        ArrayNode env = array(container, "env");
        if (!hasName(env, name)) {
            env.addObject().put("name", name).put("value", value);
        }
    }

    private static void secretEnv(ObjectNode container, String name, String secret, String key) {
        ArrayNode env = array(container, "env");
        if (!hasName(env, name)) {
            env.addObject().put("name", name).putObject("valueFrom").putObject("secretKeyRef")
                    .put("name", secret).put("key", key);
        }
    }

    private static boolean hasName(ArrayNode list, String name) {
        Set<String> names = new HashSet<>();
        list.forEach(e -> names.add(e.path("name").asText()));
        return names.contains(name);
    }

    private static String stripScheme(String uri) {
        return uri.replaceFirst("^https?://", "");
    }

    private static V1Job toJob(ObjectNode job) {
        return JSON.deserialize(job.toString(), V1Job.class);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }

    private static ArrayNode array(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ArrayNode a) {
            return a;
        }
        return parent.putArray(field);
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (!node.hasNonNull(field)) {
            node.put(field, value);
        }
    }

    private static void putIfAbsent(ObjectNode node, String field, long value) {
        if (!node.hasNonNull(field)) {
            node.put(field, value);
        }
    }
}
