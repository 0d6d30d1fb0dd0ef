package dev.launchkit.builder.kaniko;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.builder.kaniko.job.KanikoJobRenderer;
import dev.launchkit.builder.kaniko.source.GitSettings;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The kaniko builder's settings: the W&B {@code builder} block and the environment variables the W&B agent and Helm
 * chart use, plus a few LaunchKit keys.
 *
 * <pre>
 * builder:
 *   type: kaniko
 *   destination: 123456789012.dkr.ecr.us-east-1.amazonaws.com/launch-images   # read by the agent (registry)
 *   build-context-store: s3://my-bucket/launch-build-context    # or gs://..., https://acct.blob.core.windows.net/c/p
 *   build-job-name: wandb-launch-container-build                # Job name prefix; name is &lt;prefix&gt;-&lt;run_id&gt;
 *   secret-name: aws-secret        # with secret-key: a cloud credentials file for ECR or GAR (optional)
 *   secret-key: credentials
 *   kaniko-image: gcr.io/kaniko-project/executor:v1.23.2
 *   kaniko-config: {}              # a partial batch/v1 Job merged into the build Job
 *   # LaunchKit keys, all optional:
 *   namespace: launch              # default: the agent's namespace (service-account file), else "default"
 *   owner: launch-agent            # owner label of build Jobs; default WANDB_RELEASE_NAME, else launch-agent
 *   python-version: "3.11"         # for generated Dockerfiles when the job names none
 *   active-deadline-seconds: 1800
 *   ttl-seconds-after-finished: 600
 *   azure-storage-secret: azure-storage-access-key   # Secret (key "password") for Azure Blob contexts
 *   git-credentials: [~/.git-credentials]
 *   git-ca-bundle: /usr/local/share/ca-certificates/custom-ca.crt   # default REQUESTS_CA_BUNDLE
 *   work-dir: /tmp
 * </pre>
 * Environment: {@code WANDB_LAUNCH_SERVICE_ACCOUNT_NAME} (default {@code default}),
 * {@code WANDB_LAUNCH_KANIKO_PVC_NAME} / {@code _MOUNT_PATH} (default {@code /kaniko}),
 * {@code WANDB_LAUNCH_KANIKO_AUTH_SECRET}, {@code WANDB_RELEASE_NAME}, {@code HOME}, {@code REQUESTS_CA_BUNDLE}.
 *
 * @param buildJobName          prefix of build Job names
 * @param kanikoImage           the executor image
 * @param kanikoConfig          the partial Job merged into every build Job
 * @param buildContextStore     object-store URI for contexts; empty in PVC mode
 * @param secretName            cloud credentials Secret; empty for none
 * @param secretKey             its key; empty for none
 * @param namespace             where build Jobs run
 * @param owner                 the owner label value the monitor selects on
 * @param serviceAccount        the build pods' service account
 * @param pvcName               the context PVC; empty in object-store mode
 * @param pvcMountPath          where the agent has the PVC mounted
 * @param authSecret            a user dockerconfigjson Secret for Kaniko; empty for none
 * @param pythonVersion         default Python {@code major.minor} for generated Dockerfiles
 * @param activeDeadlineSeconds how long a build may take before Kubernetes fails it
 * @param ttlAfterFinished      how long Kubernetes keeps a finished build Job the agent could not delete
 * @param azureStorageSecret    the Secret with the Azure storage account key (key {@code password})
 * @param git                   where git credentials are
 * @param workDir               where sources are cloned and archives written
 */
public record KanikoSettings(String buildJobName, String kanikoImage, ObjectNode kanikoConfig, String buildContextStore,
                             String secretName, String secretKey, String namespace, String owner,
                             String serviceAccount, String pvcName, Path pvcMountPath, String authSecret,
                             String pythonVersion, long activeDeadlineSeconds, int ttlAfterFinished,
                             String azureStorageSecret, GitSettings git, Path workDir) {
    /** The default executor: the last release of the upstream project (archived in 2025). */
    public static final String DEFAULT_KANIKO_IMAGE = "gcr.io/kaniko-project/executor:v1.23.2";
    public static final String DEFAULT_BUILD_JOB_NAME = "wandb-launch-container-build";
    /** Where Kubernetes puts the pod's namespace. */
    public static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    public static final String ENV_SERVICE_ACCOUNT = "WANDB_LAUNCH_SERVICE_ACCOUNT_NAME";
    public static final String ENV_PVC_NAME = "WANDB_LAUNCH_KANIKO_PVC_NAME";
    public static final String ENV_PVC_MOUNT = "WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH";
    public static final String ENV_AUTH_SECRET = "WANDB_LAUNCH_KANIKO_AUTH_SECRET";
    public static final String ENV_RELEASE = "WANDB_RELEASE_NAME";
    private static final Pattern STORE = Pattern.compile("(s3|gs)://[^/\\s]+(/\\S*)?|https?://[^/\\s]+/[^/\\s]+(/\\S*)?");
    private static final Pattern PYTHON = Pattern.compile("\\d+\\.\\d+");

    public KanikoSettings {
        Objects.requireNonNull(buildJobName, "buildJobName");
        Objects.requireNonNull(kanikoImage, "kanikoImage");
        kanikoConfig = kanikoConfig.deepCopy();
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(git, "git");
        Objects.requireNonNull(workDir, "workDir");
    }

    @Override
    public ObjectNode kanikoConfig() {
        return kanikoConfig.deepCopy();
    }

    /** Whether contexts go through a PVC rather than an object store. */
    public boolean pvcMode() {
        return !pvcName.isEmpty();
    }

    /**
     * Reads the {@code builder} block and the environment.
     *
     * @param namespaceFile the service-account namespace file (normally {@link #SERVICE_ACCOUNT_NAMESPACE})
     * @throws ConfigException naming the key for a wrong value
     */
    public static KanikoSettings from(ConfigNode config, LaunchContext context, Path namespaceFile) {
        ObjectNode kanikoConfig = config.child("kaniko-config").object();
        KanikoJobRenderer.validate(kanikoConfig, config.child("kaniko-config").location() + ": "
                + config.child("kaniko-config").path());

        String store = config.string("build-context-store", "").strip();
        if (!store.isEmpty() && !STORE.matcher(store).matches()) {
            throw config.child("build-context-store").error("'" + store + "' is not a storage URI; use "
                    + "s3://<bucket>/<prefix>, gs://<bucket>/<prefix> or https://<account>.blob.core.windows.net/<container>/<prefix>");
        }
        String secretName = config.string("secret-name", "").strip();
        String secretKey = config.string("secret-key", "").strip();
        if (secretName.isEmpty() != secretKey.isEmpty()) {
            throw config.child(secretName.isEmpty() ? "secret-name" : "secret-key")
                    .error("secret-name and secret-key must be set together (the Secret and the key of the cloud "
                            + "credentials file in it)");
        }
        String pvcName = context.env(ENV_PVC_NAME).orElse("");
        if (store.isEmpty() && pvcName.isEmpty()) {
            throw config.child("build-context-store").error("is required: set it to the bucket Kaniko reads build "
                    + "contexts from (s3://, gs:// or an Azure blob URL), or set " + ENV_PVC_NAME + " (and "
                    + ENV_PVC_MOUNT + ") to hand contexts over on a PersistentVolumeClaim");
        }
        String python = config.string("python-version", "3.11");
        if (!PYTHON.matcher(python).matches()) {
            throw config.child("python-version").error("'" + python + "' must be major.minor, e.g. 3.11");
        }
        long deadline = config.integer("active-deadline-seconds", 1800);
        if (deadline < 1) {
            throw config.child("active-deadline-seconds").error("must be at least 1 second, got " + deadline);
        }
        int ttl = config.integer("ttl-seconds-after-finished", 600);
        if (ttl < 0) {
            throw config.child("ttl-seconds-after-finished").error("must not be negative, got " + ttl);
        }
        Path home = Path.of(context.env("HOME").orElse(System.getProperty("user.home")));
        List<Path> credentialFiles = new ArrayList<>();
        List<String> named = config.strings("git-credentials");
        for (String f : named.isEmpty() ? List.of("~/.git-credentials") : named) {
            credentialFiles.add(expandHome(f, home));
        }
        List<Path> caBundles = new ArrayList<>();
        config.optString("git-ca-bundle").or(() -> context.env("REQUESTS_CA_BUNDLE"))
                .map(p -> expandHome(p, home)).ifPresent(caBundles::add);
        for (Path ca : caBundles) {
            if (!Files.isRegularFile(ca)) {
                throw config.child("git-ca-bundle").error("the CA bundle " + ca + " does not exist (set by "
                        + (config.has("git-ca-bundle") ? "git-ca-bundle" : "REQUESTS_CA_BUNDLE") + ")");
            }
        }
        return new KanikoSettings(
                config.string("build-job-name", DEFAULT_BUILD_JOB_NAME),
                config.string("kaniko-image", DEFAULT_KANIKO_IMAGE),
                kanikoConfig,
                store,
                secretName,
                secretKey,
                config.optString("namespace").filter(s -> !s.isBlank()).orElseGet(() -> namespace(namespaceFile)),
                config.optString("owner").filter(s -> !s.isBlank())
                        .orElseGet(() -> context.env(ENV_RELEASE).orElse("launch-agent")),
                context.env(ENV_SERVICE_ACCOUNT).orElse("default"),
                pvcName,
                Path.of(context.env(ENV_PVC_MOUNT).orElse("/kaniko")),
                context.env(ENV_AUTH_SECRET).orElse(""),
                python,
                deadline,
                ttl,
                config.string("azure-storage-secret", "azure-storage-access-key"),
                new GitSettings(home, credentialFiles, caBundles, Duration.ofMinutes(5)),
                Path.of(config.string("work-dir", System.getProperty("java.io.tmpdir"))));
    }

    /** The agent's own namespace from the service-account file, else {@code default} (not W&B's {@code wandb}). */
    static String namespace(Path namespaceFile) {
        try {
            if (Files.isRegularFile(namespaceFile)) {
                String ns = Files.readString(namespaceFile, StandardCharsets.UTF_8).strip();
                if (!ns.isEmpty()) {
                    return ns;
                }
            }
        } catch (IOException e) {
            // unreadable: fall back as if absent
        }
        return "default";
    }

    private static Path expandHome(String path, Path home) {
        return path.startsWith("~/") ? home.resolve(path.substring(2)) : Path.of(path);
    }
}
