package dev.launchkit.registry.acr;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.registry.AuthMode;
import dev.launchkit.core.registry.RegistryClient;
import dev.launchkit.core.registry.RegistryUri;
import java.util.Optional;

/**
 * An Azure Container Registry repository, {@code <name>.azurecr.io/<repository>}.
 *
 * <p>In {@code workload-identity} mode (the default, as the W&amp;B agent does for ACR) no secret leaves the agent:
 * builders use Kaniko's {@code acr-env} credential helper with the build pod's Azure workload identity. In
 * {@code token} mode the agent exchanges its own Entra token for an ACR refresh token and hands it out as docker
 * credentials (user {@value AcrTokenExchange#USERNAME}). Existence checks always use the agent's identity through
 * the Docker Registry v2 API, with ACR's OAuth2 refresh-token grant at {@code /oauth2/token}.
 *
 * <p>Thread-safe.
 */
public final class AcrRegistry implements Registry {
    /** The docker credential helper of the Kaniko image for ACR with Azure workload identity. */
    public static final String CREDENTIAL_HELPER = "acr-env";

    private final RegistryUri uri;
    private final AuthMode mode;
    private final AcrTokenExchange exchange;
    private final RegistryClient client;

    AcrRegistry(RegistryUri uri, AuthMode mode, AcrTokenExchange exchange, RegistryClient client) {
        this.uri = uri;
        this.mode = mode;
        this.exchange = exchange;
        this.client = client;
    }

    @Override
    public String type() {
        return RegistryUri.ACR;
    }

    @Override
    public String repositoryUri() {
        return uri.repositoryUri();
    }

    /** How credentials reach builders and the cluster. */
    public AuthMode authMode() {
        return mode;
    }

    /** In {@code token} mode, the null-GUID user and a refresh token; empty in {@code workload-identity} mode. */
    @Override
    public Optional<RegistryCredentials> credentials() {
        return mode == AuthMode.TOKEN ? Optional.of(agentCredentials()) : Optional.empty();
    }

    RegistryCredentials agentCredentials() {
        return refreshTokenCredentials(exchange, uri.host());
    }

    /** The null-GUID user and a currently valid refresh token for {@code host}. */
    static RegistryCredentials refreshTokenCredentials(AcrTokenExchange exchange, String host) {
        AcrTokenExchange.RefreshToken token = exchange.refreshToken();
        return new RegistryCredentials(host, AcrTokenExchange.USERNAME, token.value(), token.expiresAt());
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
     * Checks that the agent gets an Entra token, that the registry exchanges it for a refresh token, and that the
     * refresh token grants pull and push on the repository. A repository that does not exist yet is fine (ACR creates
     * it on first push).
     */
    @Override
    public void verify() {
        try {
            exchange.refreshToken();
            client.checkRepository(uri.repository(), "pull,push");
        } catch (LaunchException e) {
            throw new ConfigException("registry " + uri.repositoryUri() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "AcrRegistry[" + uri + ", auth=" + mode.configName() + "]";
    }
}
