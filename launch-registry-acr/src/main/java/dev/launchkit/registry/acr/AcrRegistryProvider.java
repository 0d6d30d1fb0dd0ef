package dev.launchkit.registry.acr;

import com.azure.core.credential.TokenCredential;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.registry.AuthMode;
import dev.launchkit.core.registry.ConfigUrls;
import dev.launchkit.core.registry.RegistryClient;
import dev.launchkit.core.registry.RegistryUri;
import dev.launchkit.registry.acr.auth.AzureCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code acr} registry.
 *
 * <p>Config keys of the {@code registry} block:
 * <ul>
 *   <li>{@code uri} (required): {@code <name>.azurecr.io/<repository>}, no tag (also what {@code builder.destination}
 *       gives); W&amp;B accepts no other shape for ACR;</li>
 *   <li>{@code auth}: {@code workload-identity} (default: Kaniko's {@code acr-env} helper, no secret) or
 *       {@code token} (the agent's Entra token exchanged for an ACR refresh token, put in the build's docker config
 *       and the pull secret);</li>
 *   <li>{@code credential}: the agent's azure-identity credential, see {@link AzureCredentials};
 *       {@code tenant-id} (default {@code AZURE_TENANT_ID}) sent with the exchange; {@code aad-scope} (default
 *       {@value #DEFAULT_SCOPE}; sovereign clouds have their own);</li>
 *   <li>{@code endpoint}: base URL of the registry instead of {@code https://<name>.azurecr.io} (private endpoints,
 *       tests); {@code token-endpoint}: base URL for {@code /oauth2/exchange} (default: {@code endpoint}).</li>
 * </ul>
 */
public final class AcrRegistryProvider implements RegistryProvider {
    /** The Entra scope ACR accepts for the token exchange (Azure Resource Manager, public cloud). */
    public static final String DEFAULT_SCOPE = "https://management.azure.com/.default";

    private final AzureCredentials.Factory credentials;

    /** The provider ServiceLoader finds: credentials from azure-identity. */
    public AcrRegistryProvider() {
        this(AzureCredentials::fromConfig);
    }

    /** A provider whose agent credential comes from {@code credentials} (embedding, tests). */
    public AcrRegistryProvider(AzureCredentials.Factory credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    @Override
    public String type() {
        return RegistryUri.ACR;
    }

    /** {@code *.azurecr.io} hosts. */
    @Override
    public boolean handles(String repositoryUri) {
        return RegistryUri.inferType(repositoryUri).equals(RegistryUri.ACR);
    }

    @Override
    public Registry create(ConfigNode config, LaunchContext context) {
        RegistryUri uri = RegistryUri.parse(config, "uri", RegistryUri.ACR, "an Azure Container Registry");
        AuthMode mode = AuthMode.from(config, "auth", AuthMode.WORKLOAD_IDENTITY);
        URI endpoint = ConfigUrls.optional(config, "endpoint")
                .orElse(URI.create((uri.plainHttp() ? "http://" : "https://") + uri.host()));
        URI tokenEndpoint = ConfigUrls.optional(config, "token-endpoint").orElse(endpoint);
        TokenCredential credential = credentials.create(config, context);
        String scope = config.string("aad-scope", DEFAULT_SCOPE);
        Optional<String> tenant = config.optString("tenant-id").filter(s -> !s.isBlank())
                .or(() -> context.env("AZURE_TENANT_ID"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build();
        AcrTokenExchange exchange = new AcrTokenExchange(uri.host(), tokenEndpoint, credential, scope, tenant, http,
                context.clock(), context.masker());
        RegistryClient client = RegistryClient.builder(uri.host())
                .endpoint(endpoint)
                .httpClient(http)
                .tokenGrant(RegistryClient.TokenGrant.REFRESH_TOKEN)
                .credentials(() -> Optional.of(AcrRegistry.refreshTokenCredentials(exchange, uri.host())))
                .clock(context.clock())
                .masker(context.masker())
                .build();
        return new AcrRegistry(uri, mode, exchange, client);
    }
}
