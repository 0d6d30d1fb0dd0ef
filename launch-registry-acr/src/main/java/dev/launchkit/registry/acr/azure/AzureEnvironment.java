package dev.launchkit.registry.acr.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.Environment;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.registry.acr.auth.AzureCredentials;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Azure: an optional region, and Blob Storage for build contexts. With a storage key (what Kaniko needs to read a
 * Blob context) the agent uses it too; without one it uses its Entra identity.
 *
 * <p>Thread-safe.
 */
public final class AzureEnvironment implements Environment {
    static final String STORAGE_SCOPE = "https://storage.azure.com/.default";

    private final Optional<String> region;
    private final Optional<String> storageKey;
    private final Supplier<TokenCredential> credentialFactory;
    private final Optional<URI> blobEndpoint;
    private final SecretMasker masker;
    private final HttpClient http = new JdkHttpClientBuilder().build();
    private TokenCredential credential;

    AzureEnvironment(Optional<String> region, Optional<String> storageKey, Supplier<TokenCredential> credential,
                     Optional<URI> blobEndpoint, SecretMasker masker) {
        this.region = region;
        this.storageKey = storageKey;
        this.credentialFactory = credential;
        this.blobEndpoint = blobEndpoint;
        this.masker = masker;
    }

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Optional<String> region() {
        return region;
    }

    /** Whether a storage account key is configured (Kaniko cannot read Blob contexts without one). */
    public boolean hasStorageKey() {
        return storageKey.isPresent();
    }

    /** A store for {@code https://<account>.blob.core.windows.net/<container>/<prefix>}. */
    @Override
    public ObjectStore objectStore(String uri) {
        BlobLocation location = BlobLocation.parse(uri);
        return new BlobObjectStore(location, () -> container(location), masker);
    }

    private BlobContainerClient container(BlobLocation location) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .endpoint(blobEndpoint.orElse(location.accountEndpoint()).toString())
                .httpClient(http)
                // bounded retries: an unreachable endpoint fails a build in seconds, not minutes
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, Duration.ofSeconds(60),
                        Duration.ofMillis(200), Duration.ofSeconds(2), null));
        if (storageKey.isPresent()) {
            builder.credential(new StorageSharedKeyCredential(location.account(), storageKey.get()));
        } else {
            builder.credential(credential());
        }
        return builder.buildClient().getBlobContainerClient(location.container());
    }

    private synchronized TokenCredential credential() {
        if (credential == null) {
            credential = credentialFactory.get();
        }
        return credential;
    }

    /** Without a storage key, checks that the agent's Entra identity yields a Storage token. */
    @Override
    public void verify() {
        if (storageKey.isPresent()) {
            return;
        }
        try {
            AzureCredentials.token(credential(), STORAGE_SCOPE, "Blob Storage", masker);
        } catch (LaunchException e) {
            throw new ConfigException("environment azure: " + e.getMessage() + " (or set "
                    + AzureEnvironmentProvider.KEY_ENV + ")", e);
        }
    }

    @Override
    public String toString() {
        return "AzureEnvironment[region=" + region.orElse("-") + ", storageKey=" + (storageKey.isPresent()
                ? SecretMasker.MASK : "none") + "]";
    }
}
