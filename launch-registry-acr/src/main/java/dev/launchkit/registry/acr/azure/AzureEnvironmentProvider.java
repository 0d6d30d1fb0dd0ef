package dev.launchkit.registry.acr.azure;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.registry.ConfigUrls;
import dev.launchkit.registry.acr.auth.AzureCredentials;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code azure} environment.
 *
 * <p>Config keys of the {@code environment} block:
 * <ul>
 *   <li>{@code region}: optional (W&amp;B requires none for azure);</li>
 *   <li>{@code storage-account-key} (secret): the storage account's shared key; default
 *       {@code AZURE_STORAGE_ACCESS_KEY}, the variable Kaniko reads for Blob contexts. Without a key the agent
 *       uploads with its Entra identity ({@code credential}, see {@link AzureCredentials});</li>
 *   <li>{@code blob-endpoint}: the account's blob endpoint instead of {@code https://<account>.blob.core.windows.net}
 *       (private endpoints, Azurite).</li>
 * </ul>
 */
public final class AzureEnvironmentProvider implements EnvironmentProvider {
    /** The config key of the storage key, and the environment variable it defaults to. */
    public static final String KEY = "storage-account-key";
    public static final String KEY_ENV = "AZURE_STORAGE_ACCESS_KEY";

    private final AzureCredentials.Factory credentials;

    /** The provider ServiceLoader finds: credentials from azure-identity. */
    public AzureEnvironmentProvider() {
        this(AzureCredentials::fromConfig);
    }

    /** A provider whose agent credential comes from {@code credentials} (embedding, tests). */
    public AzureEnvironmentProvider(AzureCredentials.Factory credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of(KEY);
    }

    @Override
    public Environment create(ConfigNode config, LaunchContext context) {
        Optional<String> key = config.optString(KEY).filter(s -> !s.isBlank()).or(() -> context.env(KEY_ENV));
        key.ifPresent(context.masker()::register);
        return new AzureEnvironment(config.optString("region").filter(s -> !s.isBlank()), key,
                () -> credentials.create(config, context), ConfigUrls.optional(config, "blob-endpoint"),
                context.masker());
    }
}
