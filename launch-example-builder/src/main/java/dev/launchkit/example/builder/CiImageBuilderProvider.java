package dev.launchkit.example.builder;

import dev.launchkit.core.Builder;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;

/**
 * {@code builder.type: ci-image}, registered in {@code META-INF/services/dev.launchkit.core.BuilderProvider}.
 * It needs a registry ({@code builder.destination}), which the agent builds before builders.
 */
public final class CiImageBuilderProvider implements BuilderProvider {
    static final String TYPE = "ci-image";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Builder create(ConfigNode config, LaunchContext context) {
        return new CiImageBuilder(context.registry().orElseThrow(() -> config.child("destination")
                .error("is required by the ci-image builder: set it to the repository CI pushes to")));
    }
}
