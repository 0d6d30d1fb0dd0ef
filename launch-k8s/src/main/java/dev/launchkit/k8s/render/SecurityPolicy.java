package dev.launchkit.k8s.render;

import java.util.Locale;
import java.util.Optional;

/**
 * How the renderer treats security-relevant settings of the queue's manifest ({@code runners.kubernetes.security}).
 */
public enum SecurityPolicy {
    /**
     * The seed's behaviour: every container without a {@code securityContext} gets the restricted one
     * ({@code allowPrivilegeEscalation: false}, {@code capabilities.drop: [ALL]}, {@code seccompProfile:
     * RuntimeDefault}); a queue that sets its own keeps it. Nothing is refused.
     */
    DEFAULT,
    /**
     * W&B's hardened behaviour (since 0.28.1): the unsafe keys of a submitted manifest ({@code securityContext},
     * {@code hostPath}, {@code hostNetwork}, {@code privileged}, {@code serviceAccountName}, ...) are refused with the
     * key path named, and every container's {@code securityContext} is set to the restricted one.
     */
    RESTRICTED;

    /** The word used in configuration. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code default} or {@code restricted}, case-insensitively. */
    public static Optional<SecurityPolicy> parse(String word) {
        for (SecurityPolicy p : values()) {
            if (p.word().equalsIgnoreCase(word.strip())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
