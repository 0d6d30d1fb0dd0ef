package dev.launchkit.core;

import java.net.URI;
import java.nio.file.Path;

/**
 * A bucket or container used to hand build contexts to in-cluster builders ({@code s3://}, {@code gs://},
 * {@code https://<account>.blob.core.windows.net/...}).
 *
 * <p>Thread-safe. Exceptions: {@link LaunchException} with stage {@link Stage#BUILD} naming the store and the
 * cause (permission, missing bucket), never a secret.
 */
public interface ObjectStore {

    /** The store's base URI, e.g. {@code s3://bucket/prefix}. */
    URI baseUri();

    /**
     * Uploads a file under the base URI.
     *
     * @param key  the object name relative to the base, e.g. {@code <run_id>.tgz}
     * @param file the file to upload
     * @return the full URI of the object, as a builder should read it
     */
    URI upload(String key, Path file);

    /** Whether the object exists. */
    boolean exists(URI object);

    /** Deletes the object; deleting a missing object is not an error. */
    void delete(URI object);

    /**
     * Checks that the store exists and is writable.
     *
     * @throws ConfigException naming what is missing
     */
    default void verify() {
    }
}
