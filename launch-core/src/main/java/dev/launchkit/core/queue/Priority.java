package dev.launchkit.core.queue;

import java.util.Locale;

/**
 * The priority of a queue item, as W&B Launch numbers them: {@code critical=0}, {@code high=1}, {@code medium=2}
 * (the default) and {@code low=3}. Queues with prioritization enabled pop lower numbers first, FIFO within one
 * priority.
 */
public enum Priority {
    CRITICAL(0), HIGH(1), MEDIUM(2), LOW(3);

    private final int wandbValue;

    Priority(int wandbValue) {
        this.wandbValue = wandbValue;
    }

    /** The number W&B's {@code pushToRunQueueByName} takes as {@code priority}. */
    public int wandbValue() {
        return wandbValue;
    }

    /** The lower-case word used in files and the CLI, e.g. {@code high}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The priority for a W&B number.
     *
     * @throws IllegalArgumentException when {@code value} is not 0..3
     */
    public static Priority fromWandb(int value) {
        for (Priority p : values()) {
            if (p.wandbValue == value) {
                return p;
            }
        }
        throw new IllegalArgumentException("priority " + value + " is not one of 0 (critical), 1 (high), "
                + "2 (medium), 3 (low)");
    }

    /**
     * Parses {@code critical}, {@code high}, {@code medium}, {@code low} (any case) or the W&B numbers 0..3.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static Priority parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.matches("[0-9]+")) {
            return fromWandb(Integer.parseInt(t));
        }
        for (Priority p : values()) {
            if (p.name().equalsIgnoreCase(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("priority '" + text + "' is not one of critical, high, medium, low "
                + "(or 0..3)");
    }
}
