package dev.launchkit.registry.gcr.gcp;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.Environment;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.registry.gcr.auth.GoogleAuth;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Google Cloud: a region, the agent's Google credentials, and Cloud Storage ({@code gs://bucket/prefix}) for build
 * contexts. Kaniko reads {@code gs://} contexts with its own Google credentials (Workload Identity or a key file).
 *
 * <p>Thread-safe.
 */
public final class GcpEnvironment implements Environment {
    private final String region;
    private final Optional<String> project;
    private final GoogleAuth auth;
    private final Optional<URI> storageEndpoint;
    private Storage storage;

    GcpEnvironment(String region, Optional<String> project, GoogleAuth auth, Optional<URI> storageEndpoint) {
        this.region = region;
        this.project = project;
        this.auth = auth;
        this.storageEndpoint = storageEndpoint;
    }

    @Override
    public String type() {
        return "gcp";
    }

    @Override
    public Optional<String> region() {
        return Optional.of(region);
    }

    /** The configured project, if any (otherwise the credentials' project is used). */
    public Optional<String> project() {
        return project;
    }

    /** A store for {@code gs://bucket[/prefix]}. */
    @Override
    public ObjectStore objectStore(String uri) {
        GcsLocation location = GcsLocation.parse(uri);
        return new GcsObjectStore(location, this::storage);
    }

    /**
     * The Cloud Storage client, made on first use with the agent's credentials (which refresh themselves). Retries
     * are bounded so an unreachable endpoint fails a build in seconds, not minutes.
     */
    synchronized Storage storage() {
        if (storage == null) {
            StorageOptions.Builder options = StorageOptions.newBuilder()
                    .setCredentials(auth.credentials())
                    .setRetrySettings(RetrySettings.newBuilder()
                            .setMaxAttempts(3)
                            .setInitialRetryDelayDuration(Duration.ofMillis(200))
                            .setRetryDelayMultiplier(2.0)
                            .setMaxRetryDelayDuration(Duration.ofSeconds(2))
                            .setTotalTimeoutDuration(Duration.ofSeconds(60))
                            .build());
            project.or(auth::projectId).ifPresent(options::setProjectId);
            storageEndpoint.ifPresent(e -> options.setHost(e.toString()));
            storage = options.build().getService();
        }
        return storage;
    }

    /** Checks that the agent has Google credentials and gets an access token, as W&amp;B's gcp verify does. */
    @Override
    public void verify() {
        try {
            auth.accessToken();
        } catch (LaunchException e) {
            throw new ConfigException("environment gcp: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "GcpEnvironment[region=" + region + "]";
    }
}
