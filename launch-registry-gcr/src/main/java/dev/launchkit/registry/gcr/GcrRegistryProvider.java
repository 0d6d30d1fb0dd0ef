package dev.launchkit.registry.gcr;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.Environment;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.registry.AuthMode;
import dev.launchkit.core.registry.ConfigUrls;
import dev.launchkit.core.registry.RegistryClient;
import dev.launchkit.core.registry.RegistryUri;
import dev.launchkit.registry.gcr.auth.GoogleAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code gcr} registry (W&amp;B's type name for Artifact Registry and Container Registry).
 *
 * <p>Config keys of the {@code registry} block:
 * <ul>
 *   <li>{@code uri}: {@code <region>-docker.pkg.dev/<project>/<repository>/<image>} or {@code gcr.io/<project>/<image>},
 *       no tag (also what {@code builder.destination} gives); or the parts:</li>
 *   <li>{@code project} (default: {@code GOOGLE_CLOUD_PROJECT}, else the credentials' project), {@code region}
 *       (default: the {@code gcp} environment's region), {@code repository}, {@code image-name};</li>
 *   <li>{@code auth}: {@code token} (default; {@value GcrRegistry#USERNAME} + an access token in the build's docker
 *       config and the pull secret) or {@code workload-identity} (no secret; Kaniko's {@code gcr} helper and the
 *       nodes use their own identity);</li>
 *   <li>{@code credentials-file}: a service-account (or external-account) key file for the agent, instead of ADC;</li>
 *   <li>{@code endpoint}: base URL of the registry's v2 API instead of {@code https://<host>} (private endpoints,
 *       tests); {@code artifact-registry-endpoint}: base URL of the Artifact Registry API instead of
 *       {@code https://artifactregistry.googleapis.com}.</li>
 * </ul>
 */
public final class GcrRegistryProvider implements RegistryProvider {
    private static final Logger LOG = LoggerFactory.getLogger(GcrRegistryProvider.class);
    private static final URI ARTIFACT_REGISTRY_API = URI.create("https://artifactregistry.googleapis.com");
    private static final List<String> PART_KEYS = List.of("project", "region", "repository", "image-name");

    @Override
    public String type() {
        return RegistryUri.GCR;
    }

    /** Artifact Registry ({@code *-docker.pkg.dev}) and Container Registry ({@code gcr.io}, {@code *.gcr.io}) hosts. */
    @Override
    public boolean handles(String repositoryUri) {
        return RegistryUri.inferType(repositoryUri).equals(RegistryUri.GCR);
    }

    @Override
    public Registry create(ConfigNode config, LaunchContext context) {
        GoogleAuth auth = GoogleAuth.fromConfig(config, context);
        RegistryUri uri = config.has("uri") ? fromUri(config) : fromParts(config, context, auth);
        AuthMode mode = AuthMode.from(config, "auth", AuthMode.TOKEN);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build();
        RegistryClient.Builder client = RegistryClient.builder(uri.host())
                .plainHttp(uri.plainHttp())
                .httpClient(http)
                .credentials(() -> Optional.of(GcrRegistry.tokenCredentials(auth, uri.host())))
                .clock(context.clock())
                .masker(context.masker());
        ConfigUrls.optional(config, "endpoint").ifPresent(client::endpoint);
        Optional<ArtifactRegistryApi> api = uri.region().isPresent()
                ? Optional.of(new ArtifactRegistryApi(ConfigUrls.optional(config, "artifact-registry-endpoint")
                        .orElse(ARTIFACT_REGISTRY_API), http))
                : Optional.empty();
        return new GcrRegistry(uri, mode, auth, client.build(), api);
    }

    private static RegistryUri fromUri(ConfigNode config) {
        RegistryUri uri = RegistryUri.parse(config, "uri", RegistryUri.GCR, "an Artifact Registry or gcr.io");
        List<String> ignored = PART_KEYS.stream().filter(config::has).toList();
        if (!ignored.isEmpty()) {
            LOG.warn("{}: {} given together with uri; the uri wins and {} are ignored", config.location(),
                    config.path(), ignored);
        }
        return uri;
    }

    private static Optional<String> projectOf(GoogleAuth auth) {
        try {
            return auth.projectId();
        } catch (dev.launchkit.core.LaunchException e) {
            // no credentials to read a project from: the error below names the key to set instead
            return Optional.empty();
        }
    }

    /** {@code <region>-docker.pkg.dev/<project>/<repository>/<image-name>} from the split keys, as W&amp;B builds it. */
    private static RegistryUri fromParts(ConfigNode config, LaunchContext context, GoogleAuth auth) {
        if (PART_KEYS.stream().noneMatch(config::has)) {
            throw config.error("needs either uri (<region>-docker.pkg.dev/<project>/<repository>/<image>) or "
                    + "project, region, repository and image-name");
        }
        String repository = config.requireString("repository");
        String image = config.requireString("image-name");
        String region = config.optString("region").filter(s -> !s.isBlank())
                .or(() -> context.environment().flatMap(Environment::region))
                .orElseThrow(() -> config.child("region").error("is required (or set environment.region of the gcp "
                        + "environment)"));
        String project = config.optString("project").filter(s -> !s.isBlank())
                .or(() -> context.env("GOOGLE_CLOUD_PROJECT"))
                .or(() -> projectOf(auth))
                .orElseThrow(() -> config.child("project").error("is required: the credentials name no project and "
                        + "GOOGLE_CLOUD_PROJECT is not set"));
        String text = region + "-docker.pkg.dev/" + project + "/" + repository + "/" + image;
        try {
            return RegistryUri.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(config.location() + ": " + config.path() + ": the parts give " + e.getMessage());
        }
    }
}
