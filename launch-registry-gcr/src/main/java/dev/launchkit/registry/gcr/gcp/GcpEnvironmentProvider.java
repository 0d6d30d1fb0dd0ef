package dev.launchkit.registry.gcr.gcp;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.registry.ConfigUrls;
import dev.launchkit.registry.gcr.auth.GoogleAuth;
import java.util.Optional;

/**
 * The {@code gcp} environment.
 *
 * <p>Config keys of the {@code environment} block:
 * <ul>
 *   <li>{@code region} (required; default {@code GOOGLE_CLOUD_REGION}), as W&amp;B requires it for gcp;</li>
 *   <li>{@code project} (default {@code GOOGLE_CLOUD_PROJECT}, else the credentials' project);</li>
 *   <li>{@code credentials-file}: a key file for the agent instead of Application Default Credentials;</li>
 *   <li>{@code storage-endpoint}: base URL of the Cloud Storage JSON API instead of
 *       {@code https://storage.googleapis.com} (private endpoints, tests).</li>
 * </ul>
 */
public final class GcpEnvironmentProvider implements EnvironmentProvider {

    @Override
    public String type() {
        return "gcp";
    }

    @Override
    public Environment create(ConfigNode config, LaunchContext context) {
        String region = config.optString("region").filter(s -> !s.isBlank())
                .or(() -> context.env("GOOGLE_CLOUD_REGION"))
                .orElseThrow(() -> config.child("region").error("is required for the gcp environment; set it (e.g. "
                        + "us-central1) or the GOOGLE_CLOUD_REGION environment variable"));
        Optional<String> project = config.optString("project").filter(s -> !s.isBlank())
                .or(() -> context.env("GOOGLE_CLOUD_PROJECT"));
        GoogleAuth auth = GoogleAuth.fromConfig(config, context);
        return new GcpEnvironment(region, project, auth, ConfigUrls.optional(config, "storage-endpoint"));
    }
}
