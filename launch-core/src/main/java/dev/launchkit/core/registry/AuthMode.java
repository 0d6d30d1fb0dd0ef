package dev.launchkit.core.registry;

import dev.launchkit.core.ConfigNode;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a cloud registry hands push/pull credentials to builders and the cluster ({@code registry.auth}).
 *
 * <ul>
 *   <li>{@link #TOKEN}: the agent mints a short-lived token from its own cloud identity and puts it in the docker
 *       config of the build and in the job's pull secret;</li>
 *   <li>{@link #WORKLOAD_IDENTITY}: no secret leaves the agent; the builder's credential helper ({@code ecr-login},
 *       {@code gcr}, {@code acr-env}) authenticates with the identity of the pod's service account (IRSA, GKE
 *       Workload Identity, Azure Workload Identity), and nodes pull with their own identity. The agent still uses
 *       its identity for its own checks (image exists, verify).</li>
 * </ul>
 */
public enum AuthMode {
    TOKEN("token"),
    WORKLOAD_IDENTITY("workload-identity");

    private final String configName;

    AuthMode(String configName) {
        this.configName = configName;
    }

    /** The value written in configuration. */
    public String configName() {
        return configName;
    }

    /**
     * The mode at {@code block.key}, or {@code fallback} when absent.
     *
     * @throws dev.launchkit.core.ConfigException naming the key and the accepted values
     */
    public static AuthMode from(ConfigNode block, String key, AuthMode fallback) {
        String value = block.string(key, "").trim().toLowerCase(Locale.ROOT);
        if (value.isEmpty()) {
            return fallback;
        }
        for (AuthMode m : values()) {
            if (m.configName.equals(value)) {
                return m;
            }
        }
        throw block.child(key).error("'" + value + "' is not one of " + Arrays.stream(values())
                .map(AuthMode::configName).collect(Collectors.joining(", ")));
    }
}
