package dev.launchkit.registry.ecr;

import java.util.Locale;
import java.util.Optional;

/** How in-cluster builders and pulls authenticate to ECR (config key {@code auth}). */
public enum EcrAuthMode {
    /** The agent fetches a 12-hour token (GetAuthorizationToken) and hands it out as a docker config. */
    TOKEN("token"),
    /**
     * No secret: builders use the {@code ecr-login} credential helper with their own workload identity (IRSA, EKS
     * Pod Identity, node role). The default when the agent itself runs with such an identity.
     */
    CREDENTIAL_HELPER("ecr-login");

    private final String word;

    EcrAuthMode(String word) {
        this.word = word;
    }

    /** The config word. */
    public String word() {
        return word;
    }

    /** The mode for a config word, case-insensitive. */
    public static Optional<EcrAuthMode> fromWord(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (EcrAuthMode m : values()) {
            if (m.word.equals(v)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
