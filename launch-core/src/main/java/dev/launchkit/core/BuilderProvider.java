package dev.launchkit.core;

/** Creates {@link Builder}s of one type ({@code builder.type} in the agent config). */
public interface BuilderProvider extends Provider {

    /**
     * Creates the builder.
     *
     * @param config  the {@code builder} block
     * @param context the agent's context, with environment and registry already built
     * @throws ConfigException naming the key when the config is wrong
     */
    Builder create(ConfigNode config, LaunchContext context);
}
