package dev.launchkit.k8s;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.Runner;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.monitor.KubernetesRunMonitor;
import dev.launchkit.k8s.monitor.MonitorSettings;
import dev.launchkit.k8s.monitor.RunMonitor;
import dev.launchkit.k8s.render.ManifestRenderer;
import dev.launchkit.k8s.render.NamespaceRules;
import dev.launchkit.k8s.render.RenderSettings;
import dev.launchkit.k8s.render.RenderedRun;
import dev.launchkit.k8s.submit.Backoff;
import dev.launchkit.k8s.submit.KubeConnection;
import dev.launchkit.k8s.submit.KubeSubmitter;
import dev.launchkit.k8s.submit.Submission;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kubernetes} runner: renders a job into a batch Job or any custom resource ({@link ManifestRenderer}),
 * creates it with the official client ({@link KubeSubmitter}) and hands it to a {@link RunMonitor}, which follows it
 * to the end.
 *
 * <pre>{@code
 * KubernetesRunner runner = KubernetesRunner.builder(context)
 *     .config(launchConfig.runner("kubernetes"))   // runners.kubernetes; optional
 *     .apiClient(apiClient)                        // optional: else kubeconfig / in-cluster from the config
 *     .monitor(monitor)                            // optional: else a KubernetesRunMonitor the runner closes
 *     .build();
 * SubmittedRun run = runner.submit(job, image);
 * String yaml = runner.render(job, image).toYaml(context.masker());   // what submit would create, secrets masked
 * }</pre>
 *
 * <p>Thread-safe: {@link #submit} may be called from several agent threads at once.
 */
public final class KubernetesRunner implements Runner {
    /** The runner type, the {@code resource} word of launch specs. */
    public static final String TYPE = "kubernetes";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRunner.class);

    private final LaunchContext context;
    private final KubeConnection connection;
    private final ManifestRenderer renderer;
    private final KubeSubmitter submitter;
    private final RunMonitor monitor;
    private final boolean ownsMonitor;

    private KubernetesRunner(Builder b, KubeConnection connection, RenderSettings renderSettings, RunMonitor monitor,
                             boolean ownsMonitor) {
        this.context = b.context;
        this.connection = connection;
        this.renderer = new ManifestRenderer(renderSettings, b.context.env(), b.context.masker());
        this.submitter = new KubeSubmitter(connection.client(), b.backoff, b.context.masker());
        this.monitor = monitor;
        this.ownsMonitor = ownsMonitor;
    }

    /** Starts building a runner for an agent with this context. */
    public static Builder builder(LaunchContext context) {
        return new Builder(context);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The objects {@link #submit} would create for the job, without creating anything: the same rendering, with the
     * registry's pull credentials when the image is in the agent's registry. Use {@link RenderedRun#toYaml} to print
     * them with secrets masked.
     *
     * @throws LaunchException at stage {@code AGENT} when the job's resource args are refused
     */
    public RenderedRun render(Job job, ImageRef image) {
        Optional<RegistryCredentials> pull = pullCredentials(image);
        return pull.isPresent() ? renderer.render(job, image, pull.get()) : renderer.render(job, image);
    }

    /**
     * Renders, creates (or, for a resubmitted run, adopts) the run's Secrets and object, and starts tracking it.
     *
     * @throws LaunchException at stage {@code AGENT} when the job was refused before anything was created, at
     *                         {@code RUN} when the API server refused it
     */
    @Override
    public SubmittedRun submit(Job job, ImageRef image) {
        Submission s = create(job, image);
        return monitor.track(s.ref(), job);
    }

    /**
     * Renders and creates the run's objects without tracking them: what {@link #submit} does before handing the
     * object to the monitor.
     */
    public Submission create(Job job, ImageRef image) {
        RenderedRun run = render(job, image);
        Submission s = submitter.submit(run);
        LOG.info("run {} of {}: {} {}", job.runId(), job, s.adopted() ? "adopted" : "created", s.ref());
        return s;
    }

    /** Re-adopts the unreported runs of this deployment in every namespace runs may go to. */
    @Override
    public List<SubmittedRun> adopt() {
        return monitor.adopt(renderer.settings().namespaces().allowed());
    }

    /** The namespaces runs may go to (agent namespace, default, additional targets). */
    public java.util.Set<String> allowedNamespaces() {
        return renderer.settings().namespaces().allowed();
    }

    /** The settings rendering uses (owner, agent name, policy, namespaces). */
    public RenderSettings renderSettings() {
        return renderer.settings();
    }

    /** The client the runner submits through. */
    public ApiClient apiClient() {
        return connection.client();
    }

    @Override
    public void close() {
        if (ownsMonitor) {
            monitor.close();
        }
    }

    /** The registry's credentials, when the image lives in the agent's registry and it needs any. */
    private Optional<RegistryCredentials> pullCredentials(ImageRef image) {
        Optional<Registry> registry = context.registry();
        if (registry.isEmpty() || !registry.get().host().equalsIgnoreCase(image.registry())) {
            return Optional.empty();
        }
        return registry.get().credentials();
    }

    /** Builds a {@link KubernetesRunner}; everything but the context has a default. */
    public static final class Builder {
        private final LaunchContext context;
        private KubernetesRunnerSettings settings;
        private MonitorSettings monitorSettings;
        private KubeConnection connection;
        private RunMonitor monitor;
        private String agentNamespace;
        private Backoff backoff;

        private Builder(LaunchContext context) {
            this.context = Objects.requireNonNull(context, "context");
        }

        /** Reads the runner's and the monitor's settings from the {@code runners.kubernetes} block. */
        public Builder config(ConfigNode config) {
            this.settings = KubernetesRunnerSettings.from(config, context);
            this.monitorSettings = MonitorSettings.from(config, context);
            return this;
        }

        /** The runner's settings; default {@link KubernetesRunnerSettings#defaults}. */
        public Builder settings(KubernetesRunnerSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** The client to use instead of connecting from the settings' kubeconfig / in-cluster configuration. */
        public Builder apiClient(ApiClient value) {
            this.connection = KubeConnection.of(Objects.requireNonNull(value, "apiClient"));
            return this;
        }

        /** A connection with its context namespace, instead of connecting from the settings. */
        public Builder connection(KubeConnection value) {
            this.connection = Objects.requireNonNull(value, "connection");
            return this;
        }

        /** The monitor that tracks submitted runs; default a {@link KubernetesRunMonitor} the runner closes. */
        public Builder monitor(RunMonitor value) {
            this.monitor = Objects.requireNonNull(value, "monitor");
            return this;
        }

        /** The agent's own namespace, instead of reading the service account file. */
        public Builder agentNamespace(String value) {
            this.agentNamespace = Objects.requireNonNull(value, "agentNamespace");
            return this;
        }

        /** How API calls are retried; default {@link Backoff#defaults()} with the settings' attempts. */
        public Builder backoff(Backoff value) {
            this.backoff = Objects.requireNonNull(value, "backoff");
            return this;
        }

        /**
         * Builds the runner. Connecting reads the kubeconfig or the in-cluster files; no API call is made.
         *
         * @throws ConfigException naming the key when the configuration cannot work
         */
        public KubernetesRunner build() {
            if (settings == null) {
                settings = KubernetesRunnerSettings.defaults(context);
            }
            if (connection == null) {
                connection = KubeConnection.connect(settings.kubeconfig(), settings.context(), context.env());
            }
            if (backoff == null) {
                Backoff d = Backoff.defaults();
                backoff = new Backoff(d.initial(), d.max(), settings.apiRetries());
            }
            String ownNamespace = agentNamespace != null ? agentNamespace : readNamespace(settings.serviceAccountNamespaceFile());
            NamespaceRules rules = new NamespaceRules(settings.namespace(), ownNamespace, connection.contextNamespace(),
                    new java.util.LinkedHashSet<>(settings.additionalTargetNamespaces()));
            RenderSettings render = new RenderSettings(settings.agentName(), settings.owner(), settings.security(),
                    settings.macroEnv(), rules, settings.releaseName(),
                    connection.contextName(), connection.kubeconfig());
            boolean owns = monitor == null;
            RunMonitor m = monitor;
            if (owns) {
                m = KubernetesRunMonitor.builder(connection.client(), context).owner(render.owner())
                        .settings(monitorSettings != null ? monitorSettings
                                : MonitorSettings.from(ConfigNode.empty("defaults"), context))
                        .build();
            }
            return new KubernetesRunner(this, connection, render, m, owns);
        }

        private static String readNamespace(Path file) {
            if (!Files.isReadable(file)) {
                return "";
            }
            try {
                return Files.readString(file).strip();
            } catch (IOException e) {
                throw new ConfigException("runners.kubernetes.service_account_namespace_file: cannot read " + file
                        + ": " + e.getMessage(), e);
            }
        }
    }
}
