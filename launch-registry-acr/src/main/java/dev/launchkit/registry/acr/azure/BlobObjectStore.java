package dev.launchkit.registry.acr.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobStorageException;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Build contexts in a Blob Storage container, through azure-storage-blob on the JDK HTTP client.
 *
 * <p>Thread-safe.
 */
final class BlobObjectStore implements ObjectStore {
    private final BlobLocation location;
    private final Supplier<BlobContainerClient> container;
    private final SecretMasker masker;
    private BlobContainerClient client;

    BlobObjectStore(BlobLocation location, Supplier<BlobContainerClient> container, SecretMasker masker) {
        this.location = location;
        this.container = container;
        this.masker = masker;
    }

    private synchronized BlobContainerClient client() {
        if (client == null) {
            client = container.get();
        }
        return client;
    }

    @Override
    public URI baseUri() {
        return location.base();
    }

    @Override
    public URI upload(String key, Path file) {
        String name = location.prefix() + key;
        URI target = location.blob(name);
        try {
            client().getBlobClient(name).uploadFromFile(file.toString(), true);
            return target;
        } catch (RuntimeException e) {
            throw failure("uploading " + file.getFileName() + " to " + target, e);
        }
    }

    @Override
    public boolean exists(URI object) {
        try {
            return client().getBlobClient(location.blobName(object)).exists();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure("checking " + object, e);
        }
    }

    @Override
    public void delete(URI object) {
        try {
            client().getBlobClient(location.blobName(object)).deleteIfExists();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure("deleting " + object, e);
        }
    }

    /** Tells a missing container (or account) from refused credentials. */
    @Override
    public void verify() {
        boolean exists;
        try {
            exists = client().exists();
        } catch (LaunchException e) {
            throw new ConfigException("build context store " + location.base() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ConfigException("build context store " + location.base() + ": " + describe(e), e);
        }
        if (!exists) {
            throw new ConfigException("build context store " + location.base() + ": container '"
                    + location.container() + "' does not exist in storage account '" + location.account()
                    + "'; create it or fix builder.build-context-store");
        }
    }

    private LaunchException failure(String what, RuntimeException e) {
        if (e instanceof LaunchException le) {
            return le;
        }
        return new LaunchException(Stage.BUILD, what + " failed: " + describe(e), e);
    }

    private String describe(RuntimeException e) {
        String where = "storage account '" + location.account() + "', container '" + location.container() + "'";
        if (e instanceof BlobStorageException b) {
            String code = b.getErrorCode() == null ? "" : " " + b.getErrorCode();
            return switch (b.getStatusCode()) {
                case 403 -> "access denied to " + where + " (HTTP 403" + code + "): check the storage account key "
                        + "(AZURE_STORAGE_ACCESS_KEY) or give the agent's identity the Storage Blob Data Contributor "
                        + "role";
                case 404 -> where + " not found (HTTP 404" + code + ")";
                default -> "Blob Storage answered HTTP " + b.getStatusCode() + code + " for " + where;
            };
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return masker.mask("cannot reach Blob Storage for " + where + ": " + root);
    }

    @Override
    public String toString() {
        return "BlobObjectStore[" + location.base() + "]";
    }
}
