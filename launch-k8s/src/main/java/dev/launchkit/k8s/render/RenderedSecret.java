package dev.launchkit.k8s.render;

import io.kubernetes.client.openapi.models.V1Secret;
import java.util.Objects;

/**
 * A Secret a run needs, created before the run's object.
 *
 * @param secret  the Secret, values included; never print it, use {@link RenderedRun#toYaml} which masks them
 * @param purpose what it is for
 * @param perRun  whether it belongs to this run alone: then it is owner-referenced to the run's object (deleted with
 *                it) and removed again when creating the object fails. The Helm release's shared API-key Secret is not
 */
public record RenderedSecret(V1Secret secret, Purpose purpose, boolean perRun) {

    /** What a rendered Secret is for. */
    public enum Purpose {
        /** {@code wandb-api-key-*}: the run's {@code WANDB_API_KEY}, read through {@code secretKeyRef}. */
        API_KEY,
        /** {@code regcred-*}: the registry credentials pods pull the image with. */
        IMAGE_PULL
    }

    public RenderedSecret {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(purpose, "purpose");
    }

    /** A copy of the Secret, values included. */
    @Override
    public V1Secret secret() {
        try {
            return V1Secret.fromJson(secret.toJson());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a rendered Secret did not round-trip: " + e.getMessage(), e);
        }
    }

    /** The Secret's name. */
    public String name() {
        return secret.getMetadata().getName();
    }

    @Override
    public String toString() {
        return "RenderedSecret[" + name() + ", " + purpose + (perRun ? ", per run" : "") + "]";
    }
}
