package dev.launchkit.core;

/** Creates {@link Registry}s of one type ({@code registry.type}, or inferred from {@code builder.destination}). */
public interface RegistryProvider extends Provider {

    /**
     * Whether this provider recognises the repository URI's host (e.g. {@code .dkr.ecr.} for ECR). Used to infer the
     * registry type from {@code builder.destination} when no type is given.
     */
    default boolean handles(String repositoryUri) {
        return false;
    }

    /**
     * Creates the registry.
     *
     * @param config  the {@code registry} block; when built from {@code builder.destination} it holds {@code uri}
     * @param context the agent's context, with the environment already built
     * @throws ConfigException naming the key when the config is wrong (a tag in the URI, missing parts)
     */
    Registry create(ConfigNode config, LaunchContext context);
}
