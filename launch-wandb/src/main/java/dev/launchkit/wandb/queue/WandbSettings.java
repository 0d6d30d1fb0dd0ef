package dev.launchkit.wandb.queue;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.wandb.client.ClientSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings of the {@code wandb} queue backend: the {@code queue_backend} block of launch-config.yaml plus the
 * environment ({@code WANDB_API_KEY}, {@code WANDB_BASE_URL}, {@code REQUESTS_CA_BUNDLE}, {@code SSL_CERT_FILE},
 * {@code HOSTNAME}, {@code WANDB_AGENT_VERSION}).
 *
 * <pre>{@code
 * queue_backend:
 *   type: wandb
 *   poll_interval: 10s         # idle pop interval per queue (W&B: 10 s)
 *   max_error_backoff: 60s     # pop errors back off 1 s, 2 s, 4 s ... up to this
 *   run_init_timeout: 63s      # how long a finished run may take to show up in W&B (0 turns the check off)
 * }</pre>
 *
 * <p>Durations are seconds ({@code 10}, {@code 0.5}) or a number with a unit ({@code 250ms}, {@code 10s},
 * {@code 2m}).
 *
 * @param client             how to reach the API
 * @param project            the project queues live in (W&B: always {@code model-registry})
 * @param pollInterval       the pause after a tick in which no queue yielded an item
 * @param errorBackoff       the first pause after a failed pop; it doubles per failure in a row
 * @param maxErrorBackoff    the longest pause after failed pops
 * @param runInitTimeout     how long to look for the W&B run of a finished job ({@code RunState}); zero disables
 * @param hostname           the hostname sent at registration
 * @param agentVersion       the version sent at registration
 * @param downloadDirectory  where job and code artifacts are downloaded
 * @param allowOtherEntities whether items whose runSpec names another entity are run (W&B) or failed (default)
 */
public record WandbSettings(ClientSettings client, String project, Duration pollInterval, Duration errorBackoff,
                            Duration maxErrorBackoff, Duration runInitTimeout, String hostname, String agentVersion,
                            Path downloadDirectory, boolean allowOtherEntities) {

    /** The project W&B keeps launch queues in. */
    public static final String LAUNCH_PROJECT = "model-registry";
    /** Keys of the {@code queue_backend} block this backend reads. */
    public static final Set<String> KEYS = Set.of("type", "base_url", "project", "poll_interval", "error_backoff",
            "max_error_backoff", "request_timeout", "max_retries", "retry_backoff", "max_retry_backoff",
            "run_init_timeout", "hostname", "download_dir", "allow_other_entities");
    /** Keys the core agent reads from the same block. */
    private static final Set<String> CORE_KEYS = Set.of("poll_wait_ms");
    private static final Logger LOG = LoggerFactory.getLogger(WandbSettings.class);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    public WandbSettings {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(errorBackoff, "errorBackoff");
        Objects.requireNonNull(maxErrorBackoff, "maxErrorBackoff");
        Objects.requireNonNull(runInitTimeout, "runInitTimeout");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(agentVersion, "agentVersion");
        Objects.requireNonNull(downloadDirectory, "downloadDirectory");
    }

    /** Settings with W&B's defaults for a server and key (for embedding and tests). */
    public static WandbSettings of(URI baseUrl, String apiKey) {
        return new WandbSettings(ClientSettings.of(baseUrl, apiKey), LAUNCH_PROJECT, Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(63), localHostname(),
                defaultVersion(), defaultDownloadDirectory(), false);
    }

    /**
     * Reads the {@code queue_backend} block and the environment.
     *
     * @throws ConfigException naming the key (or environment variable) that is wrong and what to do
     */
    public static WandbSettings from(ConfigNode block, LaunchContext context) {
        for (String key : block.keys()) {
            if (!KEYS.contains(key) && !CORE_KEYS.contains(key)) {
                LOG.warn("{}: queue_backend.{} is not a key of the wandb queue backend and is ignored (known: {})",
                        block.child(key).location(), key, String.join(", ", new java.util.TreeSet<>(KEYS)));
            }
        }
        String apiKey = context.env("WANDB_API_KEY").map(String::strip).orElseThrow(() -> new ConfigException(
                "WANDB_API_KEY is not set: the wandb queue backend needs a W&B API key; set WANDB_API_KEY in the "
                        + "agent's environment (Helm: agent.apiKey or an existing secret)"));
        String base = block.optString("base_url").or(() -> context.env("WANDB_BASE_URL"))
                .orElse(ClientSettings.DEFAULT_BASE_URL).strip();
        URI baseUrl = baseUrl(base, block.has("base_url") ? block.child("base_url").location()
                + ": queue_backend.base_url" : "WANDB_BASE_URL");
        int retries = block.integer("max_retries", 5);
        if (retries < 0) {
            throw block.child("max_retries").error("must be 0 or more, got " + retries);
        }
        ClientSettings client = new ClientSettings(baseUrl, apiKey,
                duration(block, "request_timeout", Duration.ofSeconds(30), false), retries,
                duration(block, "retry_backoff", Duration.ofSeconds(1), false),
                duration(block, "max_retry_backoff", Duration.ofSeconds(30), false), caBundles(context),
                "launchkit-wandb/" + version());
        Duration backoff = duration(block, "error_backoff", Duration.ofSeconds(1), false);
        Duration maxBackoff = duration(block, "max_error_backoff", Duration.ofSeconds(60), false);
        if (maxBackoff.compareTo(backoff) < 0) {
            throw block.child("max_error_backoff").error("must not be shorter than error_backoff (" + backoff + ")");
        }
        String hostname = block.optString("hostname").filter(h -> !h.isBlank())
                .or(() -> context.env("HOSTNAME")).orElseGet(WandbSettings::localHostname);
        String version = context.env("WANDB_AGENT_VERSION").filter(v -> !v.equals("wandb-launch-agent"))
                .orElseGet(WandbSettings::defaultVersion);
        Path downloads = block.optString("download_dir").filter(d -> !d.isBlank()).map(Path::of)
                .orElseGet(WandbSettings::defaultDownloadDirectory);
        return new WandbSettings(client, block.string("project", LAUNCH_PROJECT),
                duration(block, "poll_interval", Duration.ofSeconds(10), false), backoff, maxBackoff,
                duration(block, "run_init_timeout", Duration.ofSeconds(63), true), hostname, version, downloads,
                block.bool("allow_other_entities", false));
    }

    /** A copy with another idle poll interval. */
    public WandbSettings withPollInterval(Duration value) {
        return new WandbSettings(client, project, value, errorBackoff, maxErrorBackoff, runInitTimeout, hostname,
                agentVersion, downloadDirectory, allowOtherEntities);
    }

    /** A copy with another error backoff. */
    public WandbSettings withErrorBackoff(Duration first, Duration max) {
        return new WandbSettings(client, project, pollInterval, first, max, runInitTimeout, hostname, agentVersion,
                downloadDirectory, allowOtherEntities);
    }

    /** A copy with another run-init check timeout (zero disables the check). */
    public WandbSettings withRunInitTimeout(Duration value) {
        return new WandbSettings(client, project, pollInterval, errorBackoff, maxErrorBackoff, value, hostname,
                agentVersion, downloadDirectory, allowOtherEntities);
    }

    /** A copy with other client settings. */
    public WandbSettings withClient(ClientSettings value) {
        return new WandbSettings(value, project, pollInterval, errorBackoff, maxErrorBackoff, runInitTimeout, hostname,
                agentVersion, downloadDirectory, allowOtherEntities);
    }

    /** A copy with another download directory. */
    public WandbSettings withDownloadDirectory(Path value) {
        return new WandbSettings(client, project, pollInterval, errorBackoff, maxErrorBackoff, runInitTimeout, hostname,
                agentVersion, value, allowOtherEntities);
    }

    /** A copy that runs (instead of failing) items whose runSpec names another entity. */
    public WandbSettings withAllowOtherEntities(boolean value) {
        return new WandbSettings(client, project, pollInterval, errorBackoff, maxErrorBackoff, runInitTimeout, hostname,
                agentVersion, downloadDirectory, value);
    }

    private static URI baseUrl(String text, String where) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(where + ": '" + text + "' is not an http(s) URL; set it to the W&B server, "
                        + "e.g. https://api.wandb.ai or https://wandb.example.com");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(where + ": '" + text + "' is not a URL: " + e.getReason());
        }
    }

    private static List<Path> caBundles(LaunchContext context) {
        List<Path> out = new ArrayList<>();
        for (String var : List.of("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")) {
            Optional<String> value = context.env(var);
            if (value.isEmpty()) {
                continue;
            }
            Path p = Path.of(value.get());
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new ConfigException(var + "=" + value.get() + ": no readable PEM file there; mount the CA bundle "
                        + "at that path (Helm: customCABundle) or unset " + var);
            }
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * A duration key: seconds ({@code 10}, {@code 0.5}) or with a unit ({@code 250ms}, {@code 10s}, {@code 2m},
     * {@code 1h}).
     */
    static Duration duration(ConfigNode block, String key, Duration fallback, boolean zeroAllowed) {
        Optional<String> text = block.optString(key);
        if (text.isEmpty()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text.get().strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw block.child(key).error("'" + text.get() + "' is not a duration; use seconds (10) or a number with "
                    + "a unit (250ms, 10s, 2m)");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 1000;
        };
        Duration d = Duration.ofMillis(Math.round(millis));
        if (d.isZero() && !zeroAllowed) {
            throw block.child(key).error("must be longer than zero");
        }
        return d;
    }

    private static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static Path defaultDownloadDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "launchkit-wandb");
    }

    /** {@code launchkit@<version>}, what LaunchKit reports as its agent version. */
    public static String defaultVersion() {
        return "launchkit@" + version();
    }

    /** The version of this module. */
    public static String version() {
        try (InputStream in = WandbSettings.class.getResourceAsStream("/dev/launchkit/wandb/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
