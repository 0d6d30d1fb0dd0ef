package dev.launchkit.core;

/**
 * Creates {@link Runner}s of one type. The type is the {@code resource} word of launch specs
 * ({@code kubernetes}, {@code local-process}).
 */
public interface RunnerProvider extends Provider {

    /**
     * Creates the runner.
     *
     * @param config  the runner's block ({@code runners.<type>} of the agent config; empty when not configured)
     * @param context the agent's context
     * @throws ConfigException naming the key when the config is wrong
     */
    Runner create(ConfigNode config, LaunchContext context);
}
