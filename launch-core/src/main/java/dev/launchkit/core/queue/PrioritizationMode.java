package dev.launchkit.core.queue;

import java.util.Locale;

/**
 * Whether a queue orders items by {@link Priority}: W&B's {@code prioritizationMode}, {@code V0} or none.
 */
public enum PrioritizationMode {
    /** Items pop by priority, then first in, first out (W&B {@code V0}). */
    V0,
    /** Priorities are ignored; items pop first in, first out. */
    DISABLED;

    /** The word used in {@code queue.yaml}: {@code V0} or {@code disabled}. */
    public String wireName() {
        return this == V0 ? "V0" : "disabled";
    }

    /**
     * Parses {@code V0} (also {@code enabled}) or {@code disabled} (also {@code none}), any case.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static PrioritizationMode parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "v0", "enabled" -> V0;
            case "disabled", "none", "null" -> DISABLED;
            default -> throw new IllegalArgumentException("prioritization mode '" + text
                    + "' is not one of V0, disabled");
        };
    }
}
