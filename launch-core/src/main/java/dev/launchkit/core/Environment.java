package dev.launchkit.core;

import java.util.Map;
import java.util.Optional;

/**
 * A cloud environment: region, credentials and object storage ({@code aws}, {@code gcp}, {@code azure}).
 *
 * <p>Thread-safe.
 */
public interface Environment {

    /** The environment type, e.g. {@code aws}. */
    String type();

    /** The region, when the environment has one. */
    Optional<String> region();

    /**
     * The object store at {@code uri}.
     *
     * @throws ConfigException when this environment cannot serve that URI scheme (e.g. {@code gs://} on aws)
     */
    ObjectStore objectStore(String uri);

    /**
     * Environment variables an in-cluster builder needs to reach the store without a secret (e.g.
     * {@code AWS_REGION}, {@code AZURE_STORAGE_ACCOUNT}); never secret values.
     */
    default Map<String, String> builderEnv() {
        return Map.of();
    }

    /**
     * Checks at startup that credentials work.
     *
     * @throws ConfigException naming what is missing
     */
    default void verify() {
    }
}
