package dev.launchkit.builder.kaniko.job;

import java.util.Map;
import java.util.Objects;

/**
 * How the Kaniko pod authenticates to the destination registry, in the order the builder chooses it.
 */
public sealed interface RegistryAuth {

    /**
     * A dockerconfigjson Secret the user created ({@code WANDB_LAUNCH_KANIKO_AUTH_SECRET}): its
     * {@code .dockerconfigjson} is mounted as {@code /kaniko/.docker/config.json}. The builder never reads it.
     */
    record UserSecret(String secretName) implements RegistryAuth {
        public UserSecret {
            Objects.requireNonNull(secretName, "secretName");
        }
    }

    /**
     * Docker credential helpers shipped in the Kaniko image ({@code ecr-login}, {@code gcr}, {@code acr-env}), which
     * use the pod's workload identity: a ConfigMap with only {@code credHelpers}, no secret at all.
     *
     * @param helpers registry host → helper name
     */
    record CredentialHelpers(Map<String, String> helpers) implements RegistryAuth {
        public CredentialHelpers {
            helpers = Map.copyOf(helpers);
        }
    }

    /**
     * A docker config JSON built from the registry plugin's credentials, stored in a Secret owned by the build Job.
     * {@link #toString()} never shows it.
     */
    record DockerConfig(String json) implements RegistryAuth {
        public DockerConfig {
            Objects.requireNonNull(json, "json");
        }

        @Override
        public String toString() {
            return "DockerConfig[****]";
        }
    }

    /** No docker config: the registry accepts anonymous pushes (e.g. a registry inside the cluster). */
    record Anonymous() implements RegistryAuth {
    }
}
