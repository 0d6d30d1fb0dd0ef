package dev.launchkit.wandb.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link WandbClient} reaches the W&B API.
 *
 * @param baseUrl         the W&B server, e.g. {@code https://api.wandb.ai} ({@code WANDB_BASE_URL})
 * @param apiKey          the API key ({@code WANDB_API_KEY}); sent as HTTP basic auth {@code api:<key>}, as the
 *                        Python SDK does, and only to {@code baseUrl}'s origin
 * @param requestTimeout  the timeout of one HTTP request
 * @param maxRetries      how often a request that failed with 5xx, 429 or a network error is retried
 * @param retryBackoff    the wait before the first retry; it doubles for each further one
 * @param maxRetryBackoff the longest wait between two retries
 * @param caBundles       PEM files whose certificates are trusted in addition to the JVM's default CAs
 *                        ({@code REQUESTS_CA_BUNDLE}, {@code SSL_CERT_FILE})
 * @param userAgent       the {@code User-Agent} header
 */
public record ClientSettings(URI baseUrl, String apiKey, Duration requestTimeout, int maxRetries,
                             Duration retryBackoff, Duration maxRetryBackoff, List<Path> caBundles,
                             String userAgent) {

    /** The W&B cloud. */
    public static final String DEFAULT_BASE_URL = "https://api.wandb.ai";

    public ClientSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
        }
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(maxRetryBackoff, "maxRetryBackoff");
        caBundles = List.copyOf(caBundles == null ? List.of() : caBundles);
        userAgent = userAgent == null || userAgent.isBlank() ? "launchkit-wandb" : userAgent;
        String s = baseUrl.toString();
        if (s.endsWith("/")) {
            baseUrl = URI.create(s.substring(0, s.length() - 1));
        }
    }

    /** Settings with the defaults: 30 s requests, 5 retries from 1 s up to 30 s, no extra CAs. */
    public static ClientSettings of(URI baseUrl, String apiKey) {
        return new ClientSettings(baseUrl, apiKey, Duration.ofSeconds(30), 5, Duration.ofSeconds(1),
                Duration.ofSeconds(30), List.of(), "launchkit-wandb");
    }

    /** A copy with other retry settings. */
    public ClientSettings withRetries(int retries, Duration backoff, Duration maxBackoff) {
        return new ClientSettings(baseUrl, apiKey, requestTimeout, retries, backoff, maxBackoff, caBundles, userAgent);
    }

    /** A copy trusting these PEM bundles too. */
    public ClientSettings withCaBundles(List<Path> bundles) {
        return new ClientSettings(baseUrl, apiKey, requestTimeout, maxRetries, retryBackoff, maxRetryBackoff, bundles,
                userAgent);
    }

    /** The GraphQL endpoint, {@code <baseUrl>/graphql}. */
    public URI graphqlUrl() {
        return URI.create(baseUrl + "/graphql");
    }

    /** Never shows the API key. */
    @Override
    public String toString() {
        return "ClientSettings[baseUrl=" + baseUrl + ", apiKey=****, requestTimeout=" + requestTimeout
                + ", maxRetries=" + maxRetries + ", caBundles=" + caBundles + "]";
    }
}
