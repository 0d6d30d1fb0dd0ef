package dev.launchkit.core.config;

/**
 * A value as an error message quotes it: whole when short, else its start and its length, so a 5 MB name in a queue
 * item gives a message a person can read (and a log line, result file or event of normal size).
 *
 * <pre>{@code
 * Quoted.of("kube-system")        // 'kube-system'
 * Quoted.of("a".repeat(5_000_000)) // 'aaaa…' (5000000 characters)
 * }</pre>
 */
public final class Quoted {
    /** The longest value quoted whole. */
    public static final int MAX = 80;

    private Quoted() {
    }

    /** The value in single quotes, cut after {@link #MAX} characters with its length added. */
    public static String of(String value) {
        if (value.length() <= MAX) {
            return "'" + value + "'";
        }
        return "'" + value.substring(0, MAX) + "…' (" + value.length() + " characters)";
    }
}
