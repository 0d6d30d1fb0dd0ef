package dev.launchkit.core.builder;

import dev.launchkit.core.Builder;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;

/** The {@code noop} builder; its block has no keys besides {@code type}. */
public final class NoopBuilderProvider implements BuilderProvider {

    @Override
    public String type() {
        return "noop";
    }

    @Override
    public Builder create(ConfigNode config, LaunchContext context) {
        return new NoopBuilder();
    }
}
