package dev.launchkit.registry.ecr;

import dev.launchkit.core.RegistryCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Keeps the last ECR authorization token until {@code margin} before it expires, then fetches a new one.
 *
 * <p>Thread-safe: concurrent callers share one fetch.
 */
final class EcrTokenCache {
    private final Supplier<RegistryCredentials> fetch;
    private final Clock clock;
    private final Duration margin;
    private RegistryCredentials current;

    EcrTokenCache(Supplier<RegistryCredentials> fetch, Clock clock, Duration margin) {
        this.fetch = fetch;
        this.clock = clock;
        this.margin = margin;
    }

    synchronized RegistryCredentials get() {
        if (current == null || !clock.instant().isBefore(current.expiresAt().minus(margin))) {
            current = fetch.get();
        }
        return current;
    }
}
