package dev.launchkit.registry.acr;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.registry.acr.auth.AzureCredentials;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Turns the agent's Entra (AAD) access token into an ACR refresh token, as documented in the ACR "AAD-OAuth"
 * flow (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md, "Exchanging AAD token for ACR refresh token"):
 * {@code POST https://<registry>/oauth2/exchange} with the form
 * {@code grant_type=access_token&service=<registry>&tenant=<tenant>&access_token=<aad token>}, answered with
 * {@code {"refresh_token": "..."}}. The refresh token is what docker logs in with, as password of user
 * {@value #USERNAME}.
 *
 * <p>Refresh tokens are cached until five minutes before they expire (their JWT {@code exp}, else the AAD token's).
 * Thread-safe.
 */
final class AcrTokenExchange {
    /** The user name ACR accepts with a refresh token as password. */
    static final String USERNAME = "00000000-0000-0000-0000-000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MARGIN = Duration.ofMinutes(5);

    /** A refresh token and when to stop using it. */
    record RefreshToken(String value, Instant expiresAt) {
        @Override
        public String toString() {
            return "RefreshToken[" + SecretMasker.MASK + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final String registry;
    private final URI exchangeUri;
    private final TokenCredential credential;
    private final String scope;
    private final Optional<String> tenant;
    private final HttpClient http;
    private final Clock clock;
    private final SecretMasker masker;
    private RefreshToken cached;

    AcrTokenExchange(String registry, URI base, TokenCredential credential, String scope, Optional<String> tenant,
                     HttpClient http, Clock clock, SecretMasker masker) {
        this.registry = registry;
        this.exchangeUri = URI.create(base + "/oauth2/exchange");
        this.credential = credential;
        this.scope = scope;
        this.tenant = tenant;
        this.http = http;
        this.clock = clock;
        this.masker = masker;
    }

    /** A valid refresh token, exchanged anew when the cached one is about to expire. */
    synchronized RefreshToken refreshToken() {
        if (cached != null && clock.instant().isBefore(cached.expiresAt().minus(MARGIN))) {
            return cached;
        }
        AccessToken aad = AzureCredentials.token(credential, scope, "registry " + registry, masker);
        StringBuilder form = new StringBuilder("grant_type=access_token")
                .append("&service=").append(encode(registry))
                .append("&access_token=").append(encode(aad.getToken()));
        tenant.ifPresent(t -> form.append("&tenant=").append(encode(t)));
        HttpResponse<byte[]> r;
        try {
            r = http.send(HttpRequest.newBuilder(exchangeUri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw failure("cannot reach " + exchangeUri + ": connection refused; check the registry name and that "
                    + "the agent can reach it", e);
        } catch (IOException e) {
            throw failure("cannot reach " + exchangeUri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while exchanging a token with registry " + registry, e);
        }
        String detail = detail(r.body());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw failure("registry " + registry + " refused the agent's Azure token at /oauth2/exchange (HTTP "
                    + r.statusCode() + detail + "): give the agent's identity the AcrPush role (AcrPull to only "
                    + "check images) on the registry, and check the tenant", null);
        }
        if (r.statusCode() != 200) {
            throw failure("registry " + registry + " answered HTTP " + r.statusCode() + detail
                    + " at /oauth2/exchange", null);
        }
        String refresh;
        try {
            refresh = JSON.readTree(r.body()).path("refresh_token").asText("");
        } catch (IOException e) {
            refresh = "";
        }
        if (refresh.isEmpty()) {
            throw failure("registry " + registry + " answered /oauth2/exchange without a refresh_token", null);
        }
        masker.register(refresh);
        Instant expires = jwtExpiry(refresh).orElse(aad.getExpiresAt().toInstant());
        cached = new RefreshToken(refresh, expires);
        return cached;
    }

    /** The {@code exp} claim of a JWT, if the token is one. */
    static Optional<Instant> jwtExpiry(String token) {
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return claims.path("exp").isNumber() ? Optional.of(Instant.ofEpochSecond(claims.path("exp").asLong()))
                    : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String detail(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode first = json.path("errors").path(0);
            String message = first.isMissingNode() ? json.path("error").asText("") : (first.path("code").asText("")
                    + " " + first.path("message").asText("")).trim();
            return message.isEmpty() ? "" : " " + (message.length() > 200 ? message.substring(0, 200) : message);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private LaunchException failure(String message, Throwable cause) {
        return new LaunchException(Stage.BUILD, masker.mask(message), cause);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
