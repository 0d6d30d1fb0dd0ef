package dev.launchkit.core;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replaces known secret values with {@code ****} in any text. One masker per agent; plugins register every
 * secret they come to hold (tokens, passwords, keys) so that logs, warnings, failure messages and rendered output
 * never show them.
 *
 * <p>Thread-safe.
 */
public final class SecretMasker {
    /** What a masked secret looks like. */
    public static final String MASK = "****";
    /** Values shorter than this are not masked: masking "a" would destroy every message. */
    private static final int MIN_LENGTH = 4;

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    /** Registers a secret value; blank and very short values are ignored. */
    public void register(String secret) {
        if (secret != null && secret.strip().length() >= MIN_LENGTH) {
            secrets.add(secret.strip());
        }
    }

    /** Whether any secret was registered. */
    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    /** The text with every registered secret replaced by {@link #MASK}; longer secrets first. */
    public String mask(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        List<String> ordered = secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String s : ordered) {
            if (out.contains(s)) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }
}
