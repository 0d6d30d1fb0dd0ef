package dev.launchkit.core.registry;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import java.util.Objects;
import java.util.Optional;

/**
 * Any Docker Registry v2 server (Harbor, Artifactory, GitLab, a self-hosted distribution, ...), with an optional
 * static username and password. Existence checks go through {@link RegistryClient}.
 *
 * <p>Thread-safe.
 */
public final class GenericRegistry implements Registry {
    private final RegistryUri uri;
    private final Optional<RegistryCredentials> credentials;
    private final Optional<String> credentialHelper;
    private final RegistryClient client;

    /**
     * @param uri              the repository
     * @param credentials      static credentials for {@link RegistryUri#host()}, if any
     * @param credentialHelper the docker credential helper builders should use instead, if any
     * @param client           the client that talks to the registry
     */
    public GenericRegistry(RegistryUri uri, Optional<RegistryCredentials> credentials,
                           Optional<String> credentialHelper, RegistryClient client) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.credentialHelper = Objects.requireNonNull(credentialHelper, "credentialHelper");
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public String type() {
        return RegistryUri.GENERIC;
    }

    @Override
    public String repositoryUri() {
        return uri.repositoryUri();
    }

    @Override
    public Optional<RegistryCredentials> credentials() {
        return credentials;
    }

    @Override
    public Optional<String> credentialHelper() {
        return credentialHelper;
    }

    @Override
    public boolean imageExists(String tag) {
        return client.manifestExists(uri.repository(), tag);
    }

    /**
     * Checks that the registry answers and accepts the credentials for pull and push. A repository that does not
     * exist yet is fine: Docker Registry v2 servers create repositories on first push.
     */
    @Override
    public void verify() {
        try {
            client.checkRepository(uri.repository(), "pull,push");
        } catch (LaunchException e) {
            throw new ConfigException("registry " + uri.repositoryUri() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "GenericRegistry[" + uri + "]";
    }
}
