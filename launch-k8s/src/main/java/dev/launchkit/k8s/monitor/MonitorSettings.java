package dev.launchkit.k8s.monitor;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link KubernetesRunMonitor} behaves. Build it with {@link #defaults()} and the {@code with*} methods, or
 * read it from the runner's configuration block with {@link #from(ConfigNode, LaunchContext)}.
 *
 * @param startTimeout   how long a run may stay {@code starting} (pods pending, image pulls, unschedulable) before it
 *                       is deleted and failed; {@link Duration#ZERO} turns the timeout off. Queued runs (Kueue) and
 *                       running runs are never timed out. Default 1800 s, as W&B
 * @param logTailBytes   how much of the end of every pod's main log to keep for failure messages. Default 64 KiB
 * @param tailLines      how many lines to ask the API server for when fetching the end of a log. Default 500
 * @param followLogs     whether to stream the main container's log of running runs to the run listeners
 * @param maxLogStreams  at most this many log streams at once (each holds a connection and a thread); runs beyond it
 *                       still get their log tail at the end. Default 64
 * @param watchTimeout   server-side timeout of each watch request before it is reopened. Default 5 min
 * @param confirmAfter   a tracked run whose object has not been seen by the watch after this long is read directly
 *                       (an object created long ago, already finished, never sends an event). Default 5 s
 * @param kinds          the custom resource kinds to re-adopt after a restart, besides batch Jobs
 */
public record MonitorSettings(Duration startTimeout, int logTailBytes, int tailLines, boolean followLogs,
                              int maxLogStreams, Duration watchTimeout, Duration confirmAfter,
                              List<ResourceKind> kinds) {
    /** The environment variable W&B's agent and Helm chart use for the start timeout, in (fractional) seconds. */
    public static final String START_TIMEOUT_ENV = "WANDB_LAUNCH_START_TIMEOUT";
    /** W&B's default start timeout. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(1800);

    public MonitorSettings {
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative()) {
            throw new IllegalArgumentException("startTimeout must not be negative");
        }
        if (logTailBytes < 1 || tailLines < 1 || maxLogStreams < 0) {
            throw new IllegalArgumentException("logTailBytes and tailLines must be positive, maxLogStreams not negative");
        }
        Objects.requireNonNull(watchTimeout, "watchTimeout");
        Objects.requireNonNull(confirmAfter, "confirmAfter");
        kinds = List.copyOf(kinds);
    }

    /** The defaults: 1800 s start timeout, 64 KiB log tails, log streaming on. */
    public static MonitorSettings defaults() {
        return new MonitorSettings(DEFAULT_START_TIMEOUT, 64 * 1024, 500, true, 64, Duration.ofMinutes(5),
                Duration.ofSeconds(5), List.of());
    }

    /**
     * Reads the settings from the runner's block ({@code runners.kubernetes} of launch-config.yaml) and the
     * environment. Keys, all optional:
     * <pre>
     * start_timeout: 1800          # seconds; 0 = off. Else WANDB_LAUNCH_START_TIMEOUT, else 1800
     * log_tail_kb: 64              # per pod
     * follow_logs: true
     * max_log_streams: 64
     * custom_resources:            # kinds to re-adopt after a restart, besides batch/v1 Jobs
     *   - {apiVersion: kubeflow.org/v1, kind: PyTorchJob, plural: pytorchjobs}
     * </pre>
     * The key wins over the environment variable because the Helm chart always sets the variable (from
     * {@code agent.startTimeout}), so a key set on purpose in the file would otherwise never apply.
     *
     * @throws dev.launchkit.core.ConfigException naming the key when a value is wrong
     */
    public static MonitorSettings from(ConfigNode config, LaunchContext context) {
        MonitorSettings d = defaults();
        Duration timeout = startTimeout(config, context).orElse(DEFAULT_START_TIMEOUT);
        int tailKb = config.integer("log_tail_kb", d.logTailBytes() / 1024);
        if (tailKb < 1) {
            throw config.child("log_tail_kb").error("must be at least 1 (KiB), got " + tailKb);
        }
        int streams = config.integer("max_log_streams", d.maxLogStreams());
        if (streams < 0) {
            throw config.child("max_log_streams").error("must not be negative, got " + streams);
        }
        List<ResourceKind> kinds = new ArrayList<>();
        ConfigNode list = config.child("custom_resources");
        for (int i = 0; i < list.size(); i++) {
            ConfigNode e = list.element(i);
            String apiVersion = e.requireString("apiVersion");
            if (!apiVersion.contains("/")) {
                throw e.child("apiVersion").error("'" + apiVersion + "' is not group/version, e.g. kubeflow.org/v1");
            }
            kinds.add(new ResourceKind(apiVersion, e.requireString("kind"), e.requireString("plural")));
        }
        if (!list.isMissing() && !list.json().isArray()) {
            throw list.error("expected a list of {apiVersion, kind, plural}");
        }
        return new MonitorSettings(timeout, tailKb * 1024, d.tailLines(), config.bool("follow_logs", d.followLogs()),
                streams, d.watchTimeout(), d.confirmAfter(), kinds);
    }

    private static Optional<Duration> startTimeout(ConfigNode config, LaunchContext context) {
        ConfigNode key = config.child("start_timeout");
        if (!key.isMissing()) {
            return Optional.of(seconds(config.string("start_timeout", ""), () -> key.error(
                    "expected a number of seconds (0 turns the timeout off), got '" + config.string("start_timeout", "")
                            + "'")));
        }
        return context.env(START_TIMEOUT_ENV).map(v -> seconds(v, () -> new dev.launchkit.core.ConfigException(
                START_TIMEOUT_ENV + ": expected a number of seconds (0 turns the timeout off), got '" + v + "'")));
    }

    private static Duration seconds(String text, java.util.function.Supplier<RuntimeException> error) {
        try {
            double s = Double.parseDouble(text.trim());
            if (s < 0 || Double.isNaN(s) || Double.isInfinite(s)) {
                throw error.get();
            }
            return Duration.ofNanos(Math.round(s * 1_000_000_000d));
        } catch (NumberFormatException e) {
            throw error.get();
        }
    }

    public MonitorSettings withStartTimeout(Duration d) {
        return new MonitorSettings(d, logTailBytes, tailLines, followLogs, maxLogStreams, watchTimeout, confirmAfter,
                kinds);
    }

    public MonitorSettings withLogTailBytes(int bytes) {
        return new MonitorSettings(startTimeout, bytes, tailLines, followLogs, maxLogStreams, watchTimeout,
                confirmAfter, kinds);
    }

    public MonitorSettings withFollowLogs(boolean follow) {
        return new MonitorSettings(startTimeout, logTailBytes, tailLines, follow, maxLogStreams, watchTimeout,
                confirmAfter, kinds);
    }

    public MonitorSettings withMaxLogStreams(int max) {
        return new MonitorSettings(startTimeout, logTailBytes, tailLines, followLogs, max, watchTimeout,
                confirmAfter, kinds);
    }

    public MonitorSettings withWatchTimeout(Duration d) {
        return new MonitorSettings(startTimeout, logTailBytes, tailLines, followLogs, maxLogStreams, d, confirmAfter,
                kinds);
    }

    public MonitorSettings withConfirmAfter(Duration d) {
        return new MonitorSettings(startTimeout, logTailBytes, tailLines, followLogs, maxLogStreams, watchTimeout, d,
                kinds);
    }

    /** The same settings with one more custom resource kind to re-adopt. */
    public MonitorSettings withKind(ResourceKind kind) {
        List<ResourceKind> k = new ArrayList<>(kinds);
        if (!k.contains(kind)) {
            k.add(kind);
        }
        return new MonitorSettings(startTimeout, logTailBytes, tailLines, followLogs, maxLogStreams, watchTimeout,
                confirmAfter, k);
    }

    /** Whether the start timeout is on. */
    public boolean startTimeoutEnabled() {
        return !startTimeout.isZero();
    }
}
