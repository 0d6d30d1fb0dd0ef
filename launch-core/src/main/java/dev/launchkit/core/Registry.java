package dev.launchkit.core;

import java.util.Optional;

/**
 * A container registry repository that images are pushed to and pulled from (ECR, Artifact Registry, ACR, or any
 * Docker Registry v2 server).
 *
 * <p>Thread-safe; credential lookups may be cached by the implementation until shortly before they expire.
 * Exceptions: {@link LaunchException} with stage {@link Stage#BUILD} when the registry refuses (401, 403) or
 * cannot be reached, with a message naming the registry and what to check; never with a secret in it.
 */
public interface Registry {

    /** The registry type, e.g. {@code ecr}. */
    String type();

    /** The repository, without tag: {@code host/path}, e.g. {@code 123.dkr.ecr.us-east-1.amazonaws.com/launch}. */
    String repositoryUri();

    /** The registry host (and port). */
    default String host() {
        String uri = repositoryUri();
        int slash = uri.indexOf('/');
        return slash < 0 ? uri : uri.substring(0, slash);
    }

    /** An image of this repository with the given tag. */
    default ImageRef image(String tag) {
        return ImageRef.parse(repositoryUri() + ":" + tag);
    }

    /**
     * Credentials to push and pull, or empty when none are needed or when the cluster provides them (workload
     * identity: IRSA, GKE workload identity, Azure workload identity) — see {@link #credentialHelper()}.
     */
    Optional<RegistryCredentials> credentials();

    /**
     * The docker credential helper that a builder in the cluster should use when {@link #credentials()} is empty
     * ({@code ecr-login}, {@code gcr}, {@code acr-env}); empty when anonymous access is expected.
     */
    default Optional<String> credentialHelper() {
        return Optional.empty();
    }

    /** Whether {@code repositoryUri():tag} exists. */
    boolean imageExists(String tag);

    /**
     * Checks at startup that the registry is reachable and the credentials work.
     *
     * @throws ConfigException naming what is missing (credentials, repository, permission)
     */
    default void verify() {
    }
}
