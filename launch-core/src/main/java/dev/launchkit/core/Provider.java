package dev.launchkit.core;

import java.util.Set;

/**
 * What every plugin factory has: the {@code type} word that selects it in configuration, and the config keys it
 * treats as secret.
 *
 * <p>Providers are discovered with {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/<sub-interface name>}) and must have a public no-argument constructor. A provider holds
 * no state: everything it builds comes from the config and {@link LaunchContext} passed to {@code create}.
 */
public interface Provider {

    /** The type word used in configuration, e.g. {@code kaniko}, {@code ecr}, {@code kubernetes}. */
    String type();

    /**
     * Config keys (relative to this provider's block) whose values are secret, e.g. {@code password}. The framework
     * masks their values in logs, rendered output and the config sent to servers.
     */
    default Set<String> secretKeys() {
        return Set.of();
    }
}
