package dev.launchkit.builder.kaniko.cluster;

import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry at the SPI seam, for tests of what the builder does with each kind of registry (credentials, a
 * credential helper, neither) and with an image that exists; the registry protocol itself is tested with the
 * registry plugins.
 */
final class TestRegistry implements Registry {
    private final String type;
    private final String repository;
    private final RegistryCredentials credentials;
    private final String helper;
    final Set<String> existing = ConcurrentHashMap.newKeySet();
    final Set<String> checked = ConcurrentHashMap.newKeySet();

    TestRegistry(String type, String repository, RegistryCredentials credentials, String helper) {
        this.type = type;
        this.repository = repository;
        this.credentials = credentials;
        this.helper = helper;
    }

    static TestRegistry anonymous(String repository) {
        return new TestRegistry("generic", repository, null, null);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String repositoryUri() {
        return repository;
    }

    @Override
    public Optional<RegistryCredentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    @Override
    public Optional<String> credentialHelper() {
        return Optional.ofNullable(helper);
    }

    @Override
    public boolean imageExists(String tag) {
        checked.add(tag);
        return existing.contains(tag);
    }
}
