package dev.launchkit.core.run;

import dev.launchkit.core.SecretMasker;
import java.util.Objects;

/**
 * One environment variable for a run. Secret variables (the API key) must reach the run through a secret store
 * (a Kubernetes Secret and {@code secretKeyRef}), never as a plain value in a manifest.
 */
public record RunEnvVar(String name, String value, boolean secret) {
    public RunEnvVar {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return name + "=" + (secret ? SecretMasker.MASK : value);
    }
}
