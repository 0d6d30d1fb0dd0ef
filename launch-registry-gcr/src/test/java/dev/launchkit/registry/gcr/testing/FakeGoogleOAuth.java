package dev.launchkit.registry.gcr.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's OAuth 2.0 token endpoint for service accounts, as documented in "Using OAuth 2.0 for Server to Server
 * Applications" (https://developers.google.com/identity/protocols/oauth2/service-account#httprest):
 * {@code POST token_uri} with {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>}, the
 * JWT signed RS256 with the service account's key and carrying {@code iss}, {@code scope}, {@code aud}
 * ({@code https://oauth2.googleapis.com/token}),
 * {@code exp}, {@code iat}; answer {@code {"access_token","expires_in","token_type":"Bearer"}}, or 400
 * {@code {"error":"invalid_grant"}}.
 *
 * <p>The fake makes a service account with a fresh RSA key, verifies the assertion's signature and claims, and
 * remembers the access tokens it issued so the other fakes can check {@code Authorization: Bearer}.
 */
public final class FakeGoogleOAuth implements AutoCloseable {
    public static final String PROJECT = "launch-project";
    public static final String CLIENT_EMAIL = "launch-agent@launch-project.iam.gserviceaccount.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final KeyPair key;
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger grants = new AtomicInteger();
    private volatile boolean refusing;

    public FakeGoogleOAuth() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        key = generator.generateKeyPair();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    public URI tokenUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** Writes a service-account key file whose {@code token_uri} is this server. */
    public Path writeServiceAccountKey(Path dir) throws IOException {
        ObjectNode sa = JSON.createObjectNode();
        sa.put("type", "service_account");
        sa.put("project_id", PROJECT);
        sa.put("private_key_id", "test-key-1");
        sa.put("private_key", "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        sa.put("client_email", CLIENT_EMAIL);
        sa.put("client_id", "100000000000000000001");
        sa.put("token_uri", tokenUri().toString());
        Path file = dir.resolve("service-account.json");
        Files.writeString(file, sa.toPrettyString());
        return file;
    }

    /** Whether {@code token} is an access token this server issued. */
    public boolean issued(String token) {
        return issued.contains(token);
    }

    /** Whether an {@code Authorization} header carries an issued token. */
    public boolean authorizes(String authorizationHeader) {
        return authorizationHeader != null && authorizationHeader.startsWith("Bearer ")
                && issued(authorizationHeader.substring(7).trim());
    }

    /** How many token grants were answered. */
    public int grants() {
        return grants.get();
    }

    /** Makes the endpoint answer {@code invalid_grant} (a revoked or deleted key). */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            String problem = check(form);
            if (problem != null || refusing) {
                TokenAuthServer.send(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\""
                        + (problem != null ? problem : "Invalid JWT Signature.") + "\"}");
                return;
            }
            String token = "ya29.fake-" + UUID.randomUUID();
            issued.add(token);
            grants.incrementAndGet();
            TokenAuthServer.send(exchange, 200, "{\"access_token\":\"" + token
                    + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
        }
    }

    private String check(Map<String, String> form) {
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            return "unsupported grant_type";
        }
        String[] parts = form.getOrDefault("assertion", "").split("\\.");
        if (parts.length != 3) {
            return "assertion is not a JWT";
        }
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key.getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "Invalid JWT Signature.";
            }
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (!CLIENT_EMAIL.equals(claims.path("iss").asText())) {
                return "wrong iss";
            }
            // google-auth addresses the assertion to Google's token server whatever the token_uri (as the docs say)
            if (!"https://oauth2.googleapis.com/token".equals(claims.path("aud").asText())) {
                return "wrong aud";
            }
            if (!claims.path("scope").asText().contains("https://www.googleapis.com/auth/cloud-platform")) {
                return "missing scope";
            }
            if (claims.path("exp").asLong() < Instant.now().getEpochSecond()) {
                return "Invalid JWT: Token must be a short-lived token";
            }
            return null;
        } catch (Exception e) {
            return "bad assertion: " + e.getMessage();
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
