package dev.launchkit.registry.gcr.auth;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Google credentials for the agent, found the way Application Default Credentials are, but honouring the agent's
 * (injectable) environment: the block's {@code credentials-file}, else {@code GOOGLE_APPLICATION_CREDENTIALS}, else
 * the full ADC chain ({@code gcloud auth application-default login}, GKE Workload Identity / the metadata server).
 *
 * <p>Credentials are loaded on first use, not at construction, so creating the plugin never touches the network.
 * The {@link GoogleCredentials} object refreshes its own access token shortly before it expires; each call to
 * {@link #accessToken()} returns a currently valid one. Thread-safe.
 */
public final class GoogleAuth {
    /** The scope every call of this module needs. */
    public static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

    private final Optional<Path> keyFile;
    private final String source;
    private final SecretMasker masker;
    private GoogleCredentials credentials;

    private GoogleAuth(Optional<Path> keyFile, String source, SecretMasker masker) {
        this.keyFile = keyFile;
        this.source = source;
        this.masker = masker;
    }

    /** From {@code block.credentials-file}, the context's {@code GOOGLE_APPLICATION_CREDENTIALS}, or ADC. */
    public static GoogleAuth fromConfig(ConfigNode block, LaunchContext context) {
        Optional<String> file = block.optString("credentials-file").filter(s -> !s.isBlank());
        if (file.isPresent()) {
            return new GoogleAuth(file.map(Path::of), "the key file " + file.get() + " (" + block.child(
                    "credentials-file").path() + ")", context.masker());
        }
        Optional<String> env = context.env("GOOGLE_APPLICATION_CREDENTIALS");
        if (env.isPresent()) {
            return new GoogleAuth(env.map(Path::of), "GOOGLE_APPLICATION_CREDENTIALS=" + env.get(), context.masker());
        }
        return new GoogleAuth(Optional.empty(), "Application Default Credentials", context.masker());
    }

    /** Where the credentials come from, for messages (never a secret). */
    public String source() {
        return source;
    }

    /**
     * The credentials, scoped to {@value #CLOUD_PLATFORM}.
     *
     * @throws LaunchException (stage build) naming the source when there are none or they cannot be read
     */
    public synchronized GoogleCredentials credentials() {
        if (credentials == null) {
            credentials = load();
        }
        return credentials;
    }

    private GoogleCredentials load() {
        try {
            GoogleCredentials loaded;
            if (keyFile.isPresent()) {
                try (InputStream in = Files.newInputStream(keyFile.get())) {
                    loaded = GoogleCredentials.fromStream(in);
                }
            } else {
                loaded = GoogleCredentials.getApplicationDefault();
            }
            return loaded.createScoped(List.of(CLOUD_PLATFORM));
        } catch (NoSuchFileException e) {
            throw failure("no Google credentials: " + source + " names a file that does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw failure("no usable Google credentials from " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * A valid access token, refreshed when it is about to expire; registered with the agent's masker.
     *
     * @throws LaunchException (stage build) naming the source when no token can be had
     */
    public AccessToken accessToken() {
        GoogleCredentials c = credentials();
        try {
            synchronized (c) {
                c.refreshIfExpired();
                AccessToken token = c.getAccessToken();
                if (token == null) {
                    c.refresh();
                    token = c.getAccessToken();
                }
                masker.register(Objects.requireNonNull(token, "access token").getTokenValue());
                return token;
            }
        } catch (IOException | RuntimeException e) {
            throw failure("could not get a Google access token from " + source + ": " + e.getMessage(), e);
        }
    }

    /** The project of the credentials (a service account key's {@code project_id}, or ADC's quota project). */
    public Optional<String> projectId() {
        GoogleCredentials c = credentials();
        if (c instanceof ServiceAccountCredentials sa && sa.getProjectId() != null) {
            return Optional.of(sa.getProjectId());
        }
        return Optional.ofNullable(c.getQuotaProjectId());
    }

    private LaunchException failure(String message, Throwable cause) {
        return new LaunchException(Stage.BUILD, masker.mask(message + ". Set GOOGLE_APPLICATION_CREDENTIALS or "
                + "credentials-file to a service-account key, run `gcloud auth application-default login`, or run the "
                + "agent on GKE with Workload Identity"), cause);
    }
}
