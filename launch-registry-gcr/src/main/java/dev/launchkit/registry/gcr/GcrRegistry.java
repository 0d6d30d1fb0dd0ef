package dev.launchkit.registry.gcr;

import com.google.auth.oauth2.AccessToken;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.registry.AuthMode;
import dev.launchkit.core.registry.RegistryClient;
import dev.launchkit.core.registry.RegistryUri;
import dev.launchkit.registry.gcr.auth.GoogleAuth;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An Artifact Registry ({@code <region>-docker.pkg.dev/<project>/<repository>/<image>}) or Container Registry
 * ({@code gcr.io/<project>/<image>}) image repository.
 *
 * <p>Docker credentials are user {@value #USERNAME} with a Google access token from the agent's credentials, minted
 * per call (tokens live about an hour). Existence checks use the Docker Registry v2 API with the repository's token
 * flow, for this image name only (W&amp;B's check looks for the tag in any image of the repository).
 *
 * <p>Thread-safe.
 */
public final class GcrRegistry implements Registry {
    /** The docker user name Google registries accept with an OAuth2 access token as password. */
    public static final String USERNAME = "oauth2accesstoken";
    /** The docker credential helper of the Kaniko image for Google registries. */
    public static final String CREDENTIAL_HELPER = "gcr";

    private final RegistryUri uri;
    private final AuthMode mode;
    private final GoogleAuth auth;
    private final RegistryClient client;
    private final Optional<ArtifactRegistryApi> api;

    GcrRegistry(RegistryUri uri, AuthMode mode, GoogleAuth auth, RegistryClient client,
                Optional<ArtifactRegistryApi> api) {
        this.uri = uri;
        this.mode = mode;
        this.auth = auth;
        this.client = client;
        this.api = api;
    }

    @Override
    public String type() {
        return RegistryUri.GCR;
    }

    @Override
    public String repositoryUri() {
        return uri.repositoryUri();
    }

    /** How credentials reach builders and the cluster. */
    public AuthMode authMode() {
        return mode;
    }

    /** In {@code token} mode, {@value #USERNAME} and a fresh access token; empty in {@code workload-identity} mode. */
    @Override
    public Optional<RegistryCredentials> credentials() {
        return mode == AuthMode.TOKEN ? Optional.of(agentCredentials()) : Optional.empty();
    }

    /** The agent's own docker credentials for this registry, whatever the mode. */
    RegistryCredentials agentCredentials() {
        return tokenCredentials(auth, uri.host());
    }

    /** {@value #USERNAME} and a currently valid access token for {@code host}. */
    static RegistryCredentials tokenCredentials(GoogleAuth auth, String host) {
        AccessToken token = auth.accessToken();
        Instant expires = token.getExpirationTime() == null ? null : token.getExpirationTime().toInstant();
        return new RegistryCredentials(host, USERNAME, token.getTokenValue(), expires);
    }

    /** {@value #CREDENTIAL_HELPER} in {@code workload-identity} mode. */
    @Override
    public Optional<String> credentialHelper() {
        return mode == AuthMode.WORKLOAD_IDENTITY ? Optional.of(CREDENTIAL_HELPER) : Optional.empty();
    }

    @Override
    public boolean imageExists(String tag) {
        return client.manifestExists(uri.repository(), tag);
    }

    /**
     * Checks, in order: that the agent has Google credentials and gets a token; for Artifact Registry, that the
     * repository exists, is a Docker repository and is readable (Artifact Registry API); that the registry accepts
     * the token for pull and push on this image.
     */
    @Override
    public void verify() {
        String where = "registry " + uri.repositoryUri() + ": ";
        AccessToken token;
        try {
            token = auth.accessToken();
        } catch (LaunchException e) {
            throw new ConfigException(where + e.getMessage(), e);
        }
        if (api.isPresent()) {
            verifyRepository(api.get(), token.getTokenValue(), where);
        }
        try {
            client.checkRepository(uri.repository(), "pull,push");
        } catch (LaunchException e) {
            throw new ConfigException(where + e.getMessage(), e);
        }
    }

    private void verifyRepository(ArtifactRegistryApi ar, String token, String where) {
        List<String> parts = List.of(uri.repository().split("/"));
        String project = parts.get(0);
        String repository = parts.get(1);
        String location = uri.region().orElseThrow();
        String name = "projects/" + project + "/locations/" + location + "/repositories/" + repository;
        ArtifactRegistryApi.Answer answer;
        try {
            answer = ar.repository(project, location, repository, token);
        } catch (IOException e) {
            throw new ConfigException(where + "cannot reach the Artifact Registry API at " + ar.base() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException(where + "interrupted while checking " + name);
        }
        switch (answer.status()) {
            case 200 -> {
                if (!answer.format().isEmpty() && !answer.format().equals("DOCKER")) {
                    throw new ConfigException(where + "Artifact Registry repository " + name + " holds "
                            + answer.format() + " packages, not Docker images; use a repository created with "
                            + "--repository-format=docker");
                }
            }
            case 404 -> throw new ConfigException(where + "Artifact Registry repository " + name + " does not exist; "
                    + "create it (gcloud artifacts repositories create " + repository + " --repository-format=docker "
                    + "--location=" + location + " --project=" + project + ") or fix the URI");
            case 401 -> throw new ConfigException(where + "the Artifact Registry API refused the credentials from "
                    + auth.source() + " (HTTP 401" + detail(answer) + ")");
            case 403 -> throw new ConfigException(where + "permission denied on " + name + " (HTTP 403"
                    + detail(answer) + "): grant the agent's identity roles/artifactregistry.writer on it");
            default -> throw new ConfigException(where + "the Artifact Registry API answered HTTP " + answer.status()
                    + detail(answer) + " for " + name);
        }
    }

    private static String detail(ArtifactRegistryApi.Answer a) {
        return a.message().isEmpty() ? "" : ": " + a.message();
    }

    @Override
    public String toString() {
        return "GcrRegistry[" + uri + ", auth=" + mode.configName() + "]";
    }
}
