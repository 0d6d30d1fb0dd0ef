package dev.launchkit.core;

/** Creates {@link Environment}s of one type ({@code environment.type}). */
public interface EnvironmentProvider extends Provider {

    /**
     * Creates the environment.
     *
     * @param config  the {@code environment} block
     * @param context the agent's context
     * @throws ConfigException naming the key when the config is wrong (e.g. a missing region)
     */
    Environment create(ConfigNode config, LaunchContext context);
}
