package dev.launchkit.registry.acr.testing;

import com.sun.net.httpserver.HttpExchange;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * ACR's authentication endpoints, as documented in Azure/acr "AAD-OAuth.md" and the ACR REST reference
 * ("Authentication - Exchange AAD access token for ACR refresh token", "Get ACR access token from refresh token"):
 * <ul>
 *   <li>{@code POST /oauth2/exchange} form {@code grant_type=access_token&service=<registry>&tenant=..&access_token=<aad>}
 *       → {@code {"refresh_token": "<jwt>"}}, or 401 for an AAD token the registry does not accept;</li>
 *   <li>{@code /oauth2/token}: the registry's token realm, answering {@code POST grant_type=refresh_token} and
 *       {@code GET} with Basic {@code 00000000-0000-0000-0000-000000000000:<refresh token>} (what docker, Kaniko and
 *       skopeo send with a config.json of that user).</li>
 * </ul>
 * The realm signs tokens for Debian's docker-registry ({@link TokenAuthServer}).
 */
public final class FakeAcr implements AutoCloseable {
    public static final String NULL_USER = "00000000-0000-0000-0000-000000000000";

    /** One exchange request as the server saw it. */
    public record Exchange(String grantType, String service, String tenant, String accessToken) {
    }

    private final TokenAuthServer tokens;
    private final String host;
    private final Set<String> acceptedAad = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    public FakeAcr(String host) {
        this.host = host;
        this.tokens = TokenAuthServer.start(host, "/oauth2/token", new TokenAuthServer.Policy() {
            @Override
            public boolean authenticates(String username, String secret) {
                return (username.isEmpty() || username.equals(NULL_USER)) && refreshTokens.contains(secret)
                        || username.equals("seed") && secret.equals("seed-password");
            }

            @Override
            public Set<String> allowedActions(String username, String repository) {
                return repository.startsWith("forbidden/") ? Set.of() : Set.of("pull", "push");
            }
        });
        tokens.handle("/oauth2/exchange", this::exchange);
    }

    /** The realm, for {@code LocalRegistry.withTokenAuth}. */
    public TokenAuthServer tokenServer() {
        return tokens;
    }

    /** {@code http://127.0.0.1:<port>}, where {@code /oauth2/exchange} is. */
    public URI baseUri() {
        return tokens.baseUri();
    }

    /** Accept this AAD access token at the exchange. */
    public void acceptAad(String token) {
        acceptedAad.add(token);
    }

    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** Whether a refresh token came from this registry's exchange. */
    public boolean issued(String refreshToken) {
        return refreshTokens.contains(refreshToken);
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    .split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            Exchange seen = new Exchange(form.getOrDefault("grant_type", ""), form.getOrDefault("service", ""),
                    form.getOrDefault("tenant", ""), form.getOrDefault("access_token", ""));
            exchanges.add(seen);
            if (!exchange.getRequestMethod().equals("POST") || !seen.grantType().equals("access_token")
                    || !seen.service().equals(host)) {
                TokenAuthServer.send(exchange, 400, "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":"
                        + "\"bad exchange request\"}]}");
                return;
            }
            if (!acceptedAad.contains(seen.accessToken())) {
                TokenAuthServer.send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":"
                        + "\"authentication required, visit https://aka.ms/acr/authorization\"}]}");
                return;
            }
            Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
            String refresh = url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes())
                    + "." + url.encodeToString(("{\"jti\":\"" + UUID.randomUUID() + "\",\"grant_type\":"
                    + "\"refresh_token\",\"aud\":\"" + host + "\",\"exp\":"
                    + Instant.now().plusSeconds(3 * 3600).getEpochSecond() + "}").getBytes())
                    + "." + url.encodeToString(UUID.randomUUID().toString().getBytes());
            refreshTokens.add(refresh);
            TokenAuthServer.send(exchange, 200, "{\"refresh_token\":\"" + refresh + "\"}");
        }
    }

    @Override
    public void close() {
        tokens.close();
    }
}
