package dev.launchkit.registry.gcr.gcp;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.Stage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Build contexts in a Cloud Storage bucket, through google-cloud-storage's JSON API client. Uploads are resumable
 * uploads streamed from the file.
 *
 * <p>Thread-safe.
 */
final class GcsObjectStore implements ObjectStore {
    /** What an agent needs on the bucket to hand contexts to builders and clean them up. */
    static final List<String> PERMISSIONS = List.of("storage.objects.create", "storage.objects.get",
            "storage.objects.delete");

    private final GcsLocation location;
    private final Supplier<Storage> storage;

    GcsObjectStore(GcsLocation location, Supplier<Storage> storage) {
        this.location = location;
        this.storage = storage;
    }

    @Override
    public URI baseUri() {
        return location.base();
    }

    @Override
    public URI upload(String key, Path file) {
        String name = location.prefix() + key;
        URI target = location.object(name);
        try {
            storage.get().createFrom(BlobInfo.newBuilder(location.bucket(), name)
                    .setContentType(key.endsWith(".tgz") || key.endsWith(".gz") ? "application/gzip"
                            : "application/octet-stream")
                    .build(), file);
            return target;
        } catch (StorageException e) {
            throw failure("uploading " + file.getFileName() + " to " + target, e);
        } catch (IOException e) {
            throw new LaunchException(Stage.BUILD, "uploading " + file + " to " + target + " failed: cannot read the "
                    + "file (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public boolean exists(URI object) {
        try {
            return storage.get().get(BlobId.of(location.bucket(), location.objectName(object))) != null;
        } catch (StorageException e) {
            throw failure("checking " + object, e);
        }
    }

    @Override
    public void delete(URI object) {
        try {
            storage.get().delete(BlobId.of(location.bucket(), location.objectName(object)));
        } catch (StorageException e) {
            throw failure("deleting " + object, e);
        }
    }

    /**
     * Checks that the bucket exists and that the agent holds {@link #PERMISSIONS} on it (GCS
     * {@code testIamPermissions}, which tells a missing bucket (404) from missing rights without needing
     * {@code storage.buckets.get}).
     */
    @Override
    public void verify() {
        String bucket = "gs://" + location.bucket();
        List<Boolean> held;
        try {
            held = storage.get().testIamPermissions(location.bucket(), PERMISSIONS);
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                throw new ConfigException("build context store " + location.base() + ": bucket " + bucket
                        + " does not exist; create it or fix builder.build-context-store", e);
            }
            throw new ConfigException("build context store " + location.base() + ": " + describe(e), e);
        } catch (LaunchException e) {
            throw new ConfigException("build context store " + location.base() + ": " + e.getMessage(), e);
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < PERMISSIONS.size(); i++) {
            if (i >= held.size() || !Boolean.TRUE.equals(held.get(i))) {
                missing.add(PERMISSIONS.get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("build context store " + location.base() + ": access denied: the agent's "
                    + "identity lacks " + String.join(", ", missing) + " on bucket " + bucket + "; grant it "
                    + "roles/storage.objectAdmin on the bucket");
        }
    }

    private LaunchException failure(String what, StorageException e) {
        return new LaunchException(Stage.BUILD, what + " failed: " + describe(e), e);
    }

    private String describe(StorageException e) {
        String bucket = "gs://" + location.bucket();
        return switch (e.getCode()) {
            case 401 -> "Cloud Storage refused the agent's credentials (HTTP 401: " + e.getMessage() + ")";
            case 403 -> "access denied to bucket " + bucket + " (HTTP 403: " + e.getMessage() + "); grant the "
                    + "agent's identity roles/storage.objectAdmin on it";
            case 404 -> "bucket " + bucket + " does not exist (HTTP 404)";
            case 0 -> "cannot reach Cloud Storage: " + (e.getCause() != null ? e.getCause() : e.getMessage());
            default -> "Cloud Storage answered HTTP " + e.getCode() + ": " + e.getMessage();
        };
    }

    @Override
    public String toString() {
        return "GcsObjectStore[" + location.base() + "]";
    }
}
