package dev.launchkit.builder.kaniko;

import dev.launchkit.builder.kaniko.context.ContextArchive;
import dev.launchkit.builder.kaniko.context.ContextPlan;
import dev.launchkit.builder.kaniko.context.ContextPlanner;
import dev.launchkit.builder.kaniko.context.ContextRequest;
import dev.launchkit.builder.kaniko.job.BuildJobClient;
import dev.launchkit.builder.kaniko.job.BuildJobNames;
import dev.launchkit.builder.kaniko.job.BuildJobRequest;
import dev.launchkit.builder.kaniko.job.CloudSecret;
import dev.launchkit.builder.kaniko.job.FailedPackages;
import dev.launchkit.builder.kaniko.job.KanikoJobRenderer;
import dev.launchkit.builder.kaniko.job.RegistryAuth;
import dev.launchkit.builder.kaniko.job.RenderedBuild;
import dev.launchkit.builder.kaniko.source.FetchedSource;
import dev.launchkit.builder.kaniko.source.GitFetcher;
import dev.launchkit.builder.kaniko.transport.ContextTransport;
import dev.launchkit.builder.kaniko.transport.StagedContext;
import dev.launchkit.core.Builder;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.Environment;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.monitor.RunMonitor;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kaniko} builder: builds the image of a git or code job inside the cluster with a Kaniko Job, and skips
 * the build when the registry already has the image.
 *
 * <ol>
 *   <li>fetch the source (git clone, or the code directory);</li>
 *   <li>lay out the context and choose the Dockerfile ({@link ContextPlanner}), hash it ({@link ContextArchive}):
 *       the tag is the content hash, so the same source always gives the same image;</li>
 *   <li>if the registry has {@code <repository>:<tag>}, return it;</li>
 *   <li>write the reproducible tar.gz and hand it over ({@link ContextTransport}: object store or PVC);</li>
 *   <li>create the Kaniko Job with registry credentials ({@link RegistryAuth}) and follow it through the
 *       {@link RunMonitor} — watch events, not polling — forwarding its diagnostics and log lines;</li>
 *   <li>on failure, fail with stage {@code build} quoting the end of the Kaniko log; on success, report packages the
 *       image could not install as a warning;</li>
 *   <li>always delete the Job (background propagation), its credential objects and the uploaded context.</li>
 * </ol>
 *
 * <pre>{@code
 * Builder kaniko = KanikoBuilder.builder(KanikoSettings.from(builderBlock, context, KanikoSettings.SERVICE_ACCOUNT_NAMESPACE), context)
 *     .apiClient(apiClient)      // default: in-cluster or ~/.kube/config
 *     .monitor(runMonitor)       // default: a KubernetesRunMonitor owned by this builder
 *     .build();
 * ImageRef image = kaniko.build(job, listener);
 * }</pre>
 *
 * <p>Thread-safe: builds of different jobs run concurrently, each in its own work directory.
 */
public final class KanikoBuilder implements Builder {
    private static final Logger LOG = LoggerFactory.getLogger(KanikoBuilder.class);
    private static final int LOG_LINES_IN_FAILURE = 40;
    /** How much of a successful build's log is scanned for the failed-packages marker. */
    private static final int MAX_LOG_SCAN = 16 * 1024 * 1024;
    /** Beyond Kubernetes' own activeDeadlineSeconds: pending time, and the monitor's report of the failure. */
    private static final Duration WAIT_MARGIN = Duration.ofMinutes(10);

    private final KanikoSettings settings;
    private final LaunchContext context;
    private final Registry registry;
    private final ContextTransport transport;
    private final RunMonitor monitor;
    private final boolean ownsMonitor;
    private final BuildJobClient cluster;
    private final GitFetcher git;
    private final ContextPlanner planner = new ContextPlanner();
    private final ContextArchive archive = new ContextArchive();
    private final KanikoJobRenderer renderer = new KanikoJobRenderer();

    private KanikoBuilder(Setup s) {
        this.settings = s.settings;
        this.context = s.context;
        this.registry = s.registry;
        this.transport = s.transport;
        this.monitor = s.monitor;
        this.ownsMonitor = s.ownsMonitor;
        this.cluster = new BuildJobClient(s.apiClient, s.context.clock());
        this.git = new GitFetcher(s.settings.git(), s.context.masker());
    }

    /** Starts setting up a builder. */
    public static Setup builder(KanikoSettings settings, LaunchContext context) {
        return new Setup(settings, context);
    }

    @Override
    public String type() {
        return "kaniko";
    }

    @Override
    public ImageRef build(Job job, RunListener listener) {
        JobSource source = job.source();
        if (source instanceof JobSource.Image image) {
            return image.image();
        }
        if (source instanceof JobSource.Unresolved u) {
            throw new LaunchException(Stage.AGENT, "the job '" + u.reference() + "' was not resolved to a source; "
                    + "the queue must resolve it before the kaniko builder can build it");
        }
        Path work = workDirectory(job);
        try {
            Path project = fetch(job, source, work, listener);
            ContextPlan plan = planner.plan(new ContextRequest(project, buildContext(source),
                    job.spec().dockerfile().orElse(""), dockerfile(source), source.entrypoint(),
                    JobBuildOptions.pythonVersion(job, settings.pythonVersion()), JobBuildOptions.baseImage(job, source),
                    JobBuildOptions.userId(job)));
            plan.notes().forEach(n -> listener.log("build: " + n));
            String digest = archive.digest(plan.tree());
            ImageRef image = registry.image(ContextArchive.tag(digest));
            listener.log("build: context of " + plan.tree().size() + " entries (Dockerfile: "
                    + plan.origin().name().toLowerCase(java.util.Locale.ROOT) + "), image " + image);
            if (exists(image, listener)) {
                listener.log("build: " + image + " already exists in the registry; skipping the build");
                return image;
            }
            Path tgz = work.resolve("context.tgz");
            if (!archive.writeTarGz(plan.tree(), tgz).equals(digest)) {
                throw new LaunchException(Stage.BUILD, "the source changed while the build context was archived; retry");
            }
            StagedContext staged = transport.stage(tgz, job.runId());
            listener.log("build: context uploaded to " + staged.kanikoContext());
            try {
                runKaniko(job, image, staged, listener);
            } finally {
                removeContext(staged, listener);
            }
            return image;
        } finally {
            deleteRecursively(work);
        }
    }

    private Path fetch(Job job, JobSource source, Path work, RunListener listener) {
        if (source instanceof JobSource.Git g) {
            FetchedSource fetched = git.fetch(g, work.resolve("src"));
            listener.log("build: fetched " + g.describe().replace(g.remote(),
                    dev.launchkit.builder.kaniko.source.GitRemotes.redact(g.remote())) + " at " + fetched.commit());
            return fetched.directory();
        }
        JobSource.Code code = (JobSource.Code) source;
        if (!Files.isDirectory(code.directory())) {
            throw new LaunchException(Stage.AGENT, "the code directory " + code.directory() + " of job " + job
                    + " does not exist");
        }
        return code.directory();
    }

    private boolean exists(ImageRef image, RunListener listener) {
        try {
            return registry.imageExists(image.tag());
        } catch (RuntimeException e) {
            // With WANDB_LAUNCH_KANIKO_AUTH_SECRET the registry plugin often has no credentials of its own (W&B skips
            // the check then); elsewhere a failing check must not fail a build that Kaniko may well push. Build.
            listener.log("build: could not check whether " + image + " exists (" + context.masker().mask(String.valueOf(
                    e.getMessage())) + "); building it");
            return false;
        }
    }

    private void runKaniko(Job job, ImageRef image, StagedContext staged, RunListener listener) {
        String name = BuildJobNames.jobName(settings.buildJobName(), job.runId());
        RenderedBuild build = renderer.render(request(job, name, image, staged));
        V1Job created = cluster.create(build);
        String ns = created.getMetadata().getNamespace();
        listener.log("build: created Kaniko Job " + ns + "/" + name);
        Set<String> failedPackages = new LinkedHashSet<>();
        try {
            KubeObjectRef ref = new KubeObjectRef(ns, "batch/v1", "Job", "jobs", name);
            // The build is tracked under the build Job's name, so its pods are never confused with the run's pods.
            Job buildJob = new Job(job.itemId(), job.queueName(), job.entity(), job.spec(), job.source(), name,
                    job.attributes());
            SubmittedRun run = monitor.track(ref, buildJob);
            run.addListener(new RunListener() {
                @Override
                public void warning(String message) {
                    listener.warning("Kaniko build: " + message);
                }

                @Override
                public void log(String line) {
                    synchronized (failedPackages) {
                        failedPackages.addAll(FailedPackages.find(line));
                    }
                    listener.log("kaniko: " + line);
                }
            });
            RunStatus end = await(run, waitTimeout(created), ns + "/" + name);
            String tail = run.logTail();
            synchronized (failedPackages) {
                failedPackages.addAll(FailedPackages.find(tail));
            }
            if (end.state() != RunState.SUCCEEDED) {
                throw new LaunchException(Stage.BUILD, context.masker().mask("the Kaniko build of " + image + " failed ("
                        + end + "). " + lastLines(tail, ns, name)));
            }
            synchronized (failedPackages) {
                // The streamed lines may stop short of the end of a fast build; the W&B agent reads the whole log.
                failedPackages.addAll(FailedPackages.find(cluster.podLogs(ns, name, MAX_LOG_SCAN)));
            }
            if (!failedPackages.isEmpty()) {
                listener.warning(FailedPackages.warning(new ArrayList<>(failedPackages)));
            }
            listener.log("build: pushed " + image);
        } finally {
            List<String> problems = cluster.delete(build);
            if (!problems.isEmpty()) {
                listener.log("build: could not delete all build objects (Kubernetes removes them after "
                        + settings.ttlAfterFinished() + " s): " + String.join("; ", problems));
            }
        }
    }

    private BuildJobRequest request(Job job, String name, ImageRef image, StagedContext staged) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, List<String>> secretEnv = new LinkedHashMap<>();
        Map<String, String> podLabels = new LinkedHashMap<>();
        RegistryAuth auth = auth();
        Optional<String> helper = registry.credentialHelper();
        if (registry.type().equals("ecr") || helper.filter("ecr-login"::equals).isPresent()) {
            ecrRegion(registry.host()).or(() -> context.environment().flatMap(Environment::region))
                    .ifPresent(r -> env.put("AWS_REGION", r));
        }
        if (auth instanceof RegistryAuth.CredentialHelpers && helper.filter("acr-env"::equals).isPresent()) {
            podLabels.put("azure.workload.identity/use", "true");
        }
        context.environment().ifPresent(e -> env.putAll(e.builderEnv()));
        if (!settings.pvcMode() && isAzureBlob(staged.kanikoContext())) {
            if (!cluster.secretExists(settings.namespace(), settings.azureStorageSecret())) {
                throw new LaunchException(Stage.BUILD, "Kaniko reads Azure Blob build contexts only with a storage "
                        + "account key, from the Secret '" + settings.azureStorageSecret() + "' (key 'password') in "
                        + "namespace " + settings.namespace() + ", which does not exist. Create it (kubectl -n "
                        + settings.namespace() + " create secret generic " + settings.azureStorageSecret()
                        + " --from-literal=password=<account key>) or use a PVC for build contexts");
            }
            secretEnv.put("AZURE_STORAGE_ACCESS_KEY", List.of(settings.azureStorageSecret(), "password"));
        }
        List<CloudSecret> cloud = new ArrayList<>();
        if (!settings.secretName().isEmpty()) {
            cloud.add(new CloudSecret(settings.secretName(), settings.secretKey(), cloudOf(registry, context)));
        }
        return new BuildJobRequest(settings.namespace(), name, job.runId(), settings.owner(), settings.kanikoImage(),
                staged.kanikoContext(), image.toString(), registry.repositoryUri(), settings.serviceAccount(),
                settings.activeDeadlineSeconds(), settings.ttlAfterFinished(), auth, cloud, env, secretEnv,
                transport.claimName(), podLabels, settings.kanikoConfig());
    }

    /** Registry credentials for the Kaniko pod, in order: the user's Secret, credential helpers, plugin credentials. */
    private RegistryAuth auth() {
        if (!settings.authSecret().isEmpty()) {
            return new RegistryAuth.UserSecret(settings.authSecret());
        }
        Optional<String> helper = registry.credentialHelper();
        if (helper.isPresent()) {
            return new RegistryAuth.CredentialHelpers(Map.of(registry.host(), helper.get()));
        }
        Optional<RegistryCredentials> creds = registry.credentials();
        if (creds.isPresent()) {
            context.masker().register(creds.get().password());
            String json = DockerConfigs.of(List.of(creds.get()));
            context.masker().register(creds.get().basicAuth());
            return new RegistryAuth.DockerConfig(json);
        }
        return new RegistryAuth.Anonymous();
    }

    /** Which cloud's credentials file {@code secret-name} holds: by registry type, else by environment type. */
    static CloudSecret.Cloud cloudOf(Registry registry, LaunchContext context) {
        String type = registry.type();
        if (type.equals("ecr")) {
            return CloudSecret.Cloud.AWS;
        }
        if (type.equals("gcr") || type.equals("gar")) {
            return CloudSecret.Cloud.GCP;
        }
        String env = context.environment().map(Environment::type).orElse("");
        if (env.equals("aws")) {
            return CloudSecret.Cloud.AWS;
        }
        if (env.equals("gcp")) {
            return CloudSecret.Cloud.GCP;
        }
        throw new dev.launchkit.core.ConfigException("builder.secret-name: a cloud credentials Secret is only "
                + "understood for ECR (AWS) and Artifact Registry (GCP) destinations or aws/gcp environments, not for "
                + "registry type '" + type + "'; for other registries put a dockerconfigjson Secret's name in "
                + KanikoSettings.ENV_AUTH_SECRET);
    }

    private RunStatus await(SubmittedRun run, Duration timeout, String what) {
        try {
            return run.completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancelQuietly(run);
            throw new LaunchException(Stage.BUILD, "the Kaniko build Job " + what + " did not finish within "
                    + timeout.toMinutes() + " minutes; it was deleted. " + lastLines(run.logTail(), what));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelQuietly(run);
            throw new LaunchException(Stage.BUILD, "the agent stopped while the Kaniko build Job " + what + " ran; "
                    + "the build was cancelled");
        } catch (ExecutionException e) {
            throw new LaunchException(Stage.BUILD, "lost track of the Kaniko build Job " + what + ": " + e.getCause(), e);
        }
    }

    private void cancelQuietly(SubmittedRun run) {
        try {
            run.cancel();
        } catch (RuntimeException e) {
            LOG.warn("could not cancel build {}: {}", run.id(), e.getMessage());
        }
    }

    private static Duration waitTimeout(V1Job job) {
        Long jobDeadline = job.getSpec().getActiveDeadlineSeconds();
        Long podDeadline = job.getSpec().getTemplate().getSpec().getActiveDeadlineSeconds();
        long seconds = Math.max(jobDeadline == null ? 0 : jobDeadline, podDeadline == null ? 0 : podDeadline);
        return Duration.ofSeconds(seconds > 0 ? seconds : 1800).plus(WAIT_MARGIN);
    }

    private static String lastLines(String tail, String ns, String name) {
        return lastLines(tail, ns + "/" + name);
    }

    private static String lastLines(String tail, String what) {
        if (tail == null || tail.isBlank()) {
            return "No log was captured from its pod (kubectl -n " + what.replace("/", " logs job/") + ").";
        }
        List<String> lines = tail.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_FAILURE), lines.size());
        return "Last lines of the Kaniko log:\n" + String.join("\n", last);
    }

    private void removeContext(StagedContext staged, RunListener listener) {
        try {
            transport.remove(staged);
        } catch (RuntimeException e) {
            listener.log("build: could not delete the build context " + staged.location() + ": " + e.getMessage());
        }
    }

    private Path workDirectory(Job job) {
        try {
            Files.createDirectories(settings.workDir());
            String safe = job.runId().replaceAll("[^A-Za-z0-9._-]", "_");
            return Files.createTempDirectory(settings.workDir(), "launchkit-kaniko-" + safe + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under " + settings.workDir()
                    + " (builder.work-dir): " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not clean up the build work directory {}: {}", dir, e.getMessage());
        }
    }

    private static String buildContext(JobSource s) {
        return s instanceof JobSource.Git g ? g.buildContext() : ((JobSource.Code) s).buildContext();
    }

    private static String dockerfile(JobSource s) {
        return s instanceof JobSource.Git g ? g.dockerfile() : ((JobSource.Code) s).dockerfile();
    }

    private static Optional<String> ecrRegion(String host) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\d+\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com")
                .matcher(host);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static boolean isAzureBlob(String uri) {
        return uri.matches("https://[^/]+\\.blob\\.core\\.(windows\\.net|chinacloudapi\\.cn|usgovcloudapi\\.net)/.*");
    }

    /** Stops the monitor if this builder created it. */
    @Override
    public void close() {
        if (ownsMonitor) {
            monitor.close();
        }
    }

    /** Sets up a {@link KanikoBuilder}; everything but the settings and context has a default. */
    public static final class Setup {
        private final KanikoSettings settings;
        private final LaunchContext context;
        private Registry registry;
        private ContextTransport transport;
        private ApiClient apiClient;
        private RunMonitor monitor;
        private boolean ownsMonitor;

        private Setup(KanikoSettings settings, LaunchContext context) {
            this.settings = Objects.requireNonNull(settings, "settings");
            this.context = Objects.requireNonNull(context, "context");
        }

        /** The destination registry; default the context's registry ({@code builder.destination}). */
        public Setup registry(Registry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /** How contexts reach the pod; default from the settings (PVC, else the environment's object store). */
        public Setup transport(ContextTransport value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /** The Kubernetes client; default in-cluster configuration, else {@code ~/.kube/config}. */
        public Setup apiClient(ApiClient value) {
            this.apiClient = Objects.requireNonNull(value, "apiClient");
            return this;
        }

        /** The monitor that follows build Jobs; default a {@code KubernetesRunMonitor} this builder closes. */
        public Setup monitor(RunMonitor value) {
            this.monitor = Objects.requireNonNull(value, "monitor");
            return this;
        }

        /**
         * Builds it.
         *
         * @throws dev.launchkit.core.ConfigException when there is no destination registry, or the context store
         *                                            cannot be served by the environment
         */
        public KanikoBuilder build() {
            if (registry == null) {
                registry = context.registry().orElseThrow(() -> new dev.launchkit.core.ConfigException(
                        "builder.destination: the kaniko builder needs a destination repository to push to "
                                + "(e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/launch-images)"));
            }
            if (!settings.secretName().isEmpty()) {
                cloudOf(registry, context);
            }
            if (transport == null) {
                transport = Transports.from(settings, context);
            }
            if (apiClient == null) {
                apiClient = Transports.defaultApiClient();
            }
            if (monitor == null) {
                monitor = dev.launchkit.k8s.monitor.KubernetesRunMonitor.builder(apiClient, context)
                        .owner(settings.owner()).build();
                ownsMonitor = true;
            }
            return new KanikoBuilder(this);
        }
    }
}
