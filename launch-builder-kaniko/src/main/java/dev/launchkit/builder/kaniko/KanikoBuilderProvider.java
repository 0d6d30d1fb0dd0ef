package dev.launchkit.builder.kaniko;

import dev.launchkit.core.Builder;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;

/**
 * The {@code kaniko} builder type ({@code builder.type: kaniko}); see {@link KanikoSettings} for the keys and
 * environment variables it reads. It connects to Kubernetes with the in-cluster service account (or
 * {@code ~/.kube/config}) and follows build Jobs with its own run monitor.
 */
public final class KanikoBuilderProvider implements BuilderProvider {

    @Override
    public String type() {
        return "kaniko";
    }

    @Override
    public Builder create(ConfigNode config, LaunchContext context) {
        KanikoSettings settings = KanikoSettings.from(config, context, KanikoSettings.SERVICE_ACCOUNT_NAMESPACE);
        return KanikoBuilder.builder(settings, context).build();
    }
}
