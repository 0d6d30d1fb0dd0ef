package dev.launchkit.k8s.submit;

import java.time.Duration;
import java.util.Objects;

/**
 * How API calls are retried on 429, 5xx and connection errors: exponential from {@code initial}, capped at
 * {@code max}, at most {@code attempts} calls in all. A {@code Retry-After} header wins over the computed delay (up to
 * {@code max}).
 *
 * @param initial  the delay after the first failure
 * @param max      the longest delay
 * @param attempts calls in all, at least 1
 */
public record Backoff(Duration initial, Duration max, int attempts) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.isNegative() || attempts < 1) {
            throw new IllegalArgumentException("backoff needs non-negative delays and at least one attempt");
        }
    }

    /** W&B's schedule for the API-key Secret, used for every call: 1 s doubling up to 1 min, 5 attempts. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 5);
    }

    /** The delay before attempt {@code attempt + 1}, after {@code attempt} failures (1-based). */
    public Duration delayAfter(int attempt) {
        long factor = 1L << Math.min(30, Math.max(0, attempt - 1));
        Duration d = initial.multipliedBy(factor);
        return d.compareTo(max) > 0 ? max : d;
    }
}
