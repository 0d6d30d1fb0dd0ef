package dev.launchkit.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;

/** Builds docker config JSON ({@code ~/.docker/config.json}, {@code .dockerconfigjson} Secrets). */
public final class DockerConfigs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerConfigs() {
    }

    /** {@code {"auths": {...}}} for the given credentials. */
    public static String of(Collection<RegistryCredentials> credentials) {
        return of(credentials, Map.of());
    }

    /**
     * {@code {"auths": {...}, "credHelpers": {...}}}.
     *
     * @param credHelpers host → credential helper name (e.g. {@code ecr-login}), for workload identity
     */
    public static String of(Collection<RegistryCredentials> credentials, Map<String, String> credHelpers) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode auths = root.putObject("auths");
        for (RegistryCredentials c : credentials) {
            ObjectNode entry = auths.putObject(c.host());
            entry.put("username", c.username());
            entry.put("password", c.password());
            entry.put("auth", c.basicAuth());
        }
        if (!credHelpers.isEmpty()) {
            ObjectNode helpers = root.putObject("credHelpers");
            credHelpers.forEach(helpers::put);
        }
        return root.toString();
    }
}
