package dev.launchkit.builder.kaniko.job;

import java.util.Objects;

/**
 * W&B's {@code builder.secret-name} / {@code builder.secret-key}: a Secret holding a cloud credentials file that the
 * Kaniko pod mounts for pushing (and for reading the build context from the bucket).
 *
 * @param name  the Secret's name
 * @param key   the key inside the Secret
 * @param cloud which cloud's file it is, which decides where it is mounted
 */
public record CloudSecret(String name, String key, Cloud cloud) {
    /** The cloud of the credentials file. */
    public enum Cloud {
        /** An AWS shared credentials file, mounted as {@code /root/.aws/credentials}. */
        AWS,
        /** A Google service-account key, mounted at {@code /kaniko/.config/gcloud/config.json} with
         * {@code GOOGLE_APPLICATION_CREDENTIALS} pointing to it. */
        GCP
    }

    public CloudSecret {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cloud, "cloud");
    }
}
