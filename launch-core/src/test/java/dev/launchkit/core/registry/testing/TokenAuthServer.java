package dev.launchkit.core.registry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token service for {@link LocalRegistry#withTokenAuth}, following the Docker Registry token authentication
 * specification (distribution/docs/spec/auth/token.md, jwt.md and oauth.md):
 *
 * <ul>
 *   <li>{@code GET <realm>?service=..&scope=repository:<name>:<actions>} with optional {@code Authorization: Basic};</li>
 *   <li>{@code POST <realm>} with a form {@code grant_type=refresh_token&refresh_token=..&service=..&scope=..}
 *       (the OAuth2 variant, which ACR documents for AAD-exchanged refresh tokens);</li>
 *   <li>answer {@code {"token","access_token","expires_in","issued_at"}} where the token is a JWT signed RS256 with a
 *       key whose self-signed certificate (made with the JDK's {@code keytool}) travels in the {@code x5c} header and
 *       is the registry's {@code rootcertbundle}; its {@code access} claim grants what the {@link Policy} allows of
 *       what was asked (nothing, for valid credentials without permission: the registry then refuses).</li>
 * </ul>
 *
 * <p>Extra endpoints (an ACR {@code /oauth2/exchange}, a Google token endpoint) can be added with
 * {@link #handle(String, HttpHandler)}. Requests are recorded for assertions.
 */
public final class TokenAuthServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Decides who the caller is and what it may do. */
    public interface Policy {
        /**
         * Whether the credentials are valid; false answers 401.
         *
         * @param username the Basic-auth user, or {@code ""} for an OAuth2 refresh token or an anonymous caller
         * @param secret   the Basic-auth password or the refresh token; {@code ""} for an anonymous caller
         */
        boolean authenticates(String username, String secret);

        /** The actions ({@code pull}, {@code push}) an authenticated caller may perform on {@code repository}. */
        Set<String> allowedActions(String username, String repository);

        /** One user with one password, allowed {@code actions} on every repository. */
        static Policy user(String username, String password, String... actions) {
            return new Policy() {
                @Override
                public boolean authenticates(String u, String s) {
                    return u.equals(username) && s.equals(password);
                }

                @Override
                public Set<String> allowedActions(String u, String repository) {
                    return Set.of(actions);
                }
            };
        }
    }

    /** One token request as the server saw it. */
    public record TokenRequest(String method, String username, List<String> scopes, String grantType) {
    }

    private final HttpServer server;
    private final String service;
    private final String issuer = "launchkit-test-issuer";
    private final String tokenPath;
    private final Path dir;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Policy policy;
    private volatile Duration lifetime = Duration.ofMinutes(5);

    private TokenAuthServer(String service, String tokenPath, Policy policy) throws Exception {
        this.service = service;
        this.tokenPath = tokenPath;
        this.policy = policy;
        this.dir = Files.createTempDirectory("launchkit-token");
        Path keystore = dir.resolve("token.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Tools.run(List.of(keytool.toString(), "-genkeypair", "-alias", "token", "-keyalg", "RSA", "-keysize", "2048",
                "-sigalg", "SHA256withRSA", "-dname", "CN=launchkit-test-token-signer", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-keypass", "changeit"), Duration.ofSeconds(60)).requireSuccess("keytool -genkeypair");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        this.key = (PrivateKey) ks.getKey("token", "changeit".toCharArray());
        this.certificate = (X509Certificate) ks.getCertificate("token");
        Files.writeString(dir.resolve("root.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(tokenPath, this::token);
        server.start();
    }

    /**
     * Starts a token service on a free loopback port.
     *
     * @param service   the registry's service name ({@code service=} in challenges, {@code aud} of tokens)
     * @param tokenPath the realm's path, e.g. {@code /token} or ACR's {@code /oauth2/token}
     */
    public static TokenAuthServer start(String service, String tokenPath, Policy policy) {
        try {
            return new TokenAuthServer(service, tokenPath, policy);
        } catch (Exception e) {
            throw new AssertionError("could not start the token service", e);
        }
    }

    /** Replaces the policy (e.g. to revoke a user). */
    public void policy(Policy p) {
        this.policy = p;
    }

    /** Sets {@code expires_in} of tokens issued from now on. */
    public void tokenLifetime(Duration d) {
        this.lifetime = d;
    }

    /** Adds an endpoint to this server (for cloud-specific flows served from the same host). */
    public void handle(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public URI realm() {
        return baseUri().resolve(tokenPath);
    }

    public String service() {
        return service;
    }

    public String issuer() {
        return issuer;
    }

    public Path certificatePem() {
        return dir.resolve("root.pem");
    }

    /** The token requests received so far. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            String username = "";
            String secret = "";
            String grantType = "";
            Map<String, List<String>> params = parse(exchange.getRequestURI().getRawQuery());
            if (exchange.getRequestMethod().equals("POST")) {
                Map<String, List<String>> form = parse(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8));
                params.putAll(form);
                grantType = first(form, "grant_type");
                if (grantType.equals("refresh_token")) {
                    secret = first(form, "refresh_token");
                } else if (grantType.equals("password")) {
                    username = first(form, "username");
                    secret = first(form, "password");
                }
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                username = colon < 0 ? decoded : decoded.substring(0, colon);
                secret = colon < 0 ? "" : decoded.substring(colon + 1);
            }
            List<String> scopes = params.getOrDefault("scope", List.of()).stream()
                    .flatMap(s -> java.util.Arrays.stream(s.split(" "))).filter(s -> !s.isBlank()).toList();
            requests.add(new TokenRequest(exchange.getRequestMethod(), username, scopes, grantType));
            if (!service.equals(first(params, "service"))) {
                send(exchange, 400, "{\"errors\":[{\"code\":\"INVALID_REQUEST\",\"message\":\"unknown service\"}]}");
                return;
            }
            if (!policy.authenticates(username, secret)) {
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid credentials\"}]}");
                return;
            }
            ArrayNode access = JSON.createArrayNode();
            for (String scope : scopes) {
                int first = scope.indexOf(':');
                int last = scope.lastIndexOf(':');
                if (first < 0 || last <= first) {
                    continue;
                }
                String name = scope.substring(first + 1, last);
                Set<String> allowed = policy.allowedActions(username, name);
                Set<String> granted = new LinkedHashSet<>();
                for (String action : scope.substring(last + 1).split(",")) {
                    if (allowed.contains(action) || allowed.contains("*")) {
                        granted.add(action);
                    }
                }
                ObjectNode entry = access.addObject();
                entry.put("type", scope.substring(0, first));
                entry.put("name", name);
                ArrayNode actions = entry.putArray("actions");
                granted.forEach(actions::add);
            }
            Instant now = Instant.now();
            String jwt = sign(username.isEmpty() ? "refresh-token-user" : username, access, now);
            ObjectNode body = JSON.createObjectNode();
            body.put("token", jwt);
            body.put("access_token", jwt);
            body.put("expires_in", lifetime.toSeconds());
            body.put("issued_at", now.toString());
            send(exchange, 200, body.toString());
        } catch (Exception e) {
            send(exchange, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"" + e + "\"}]}");
        }
    }

    private String sign(String subject, ArrayNode access, Instant now) throws Exception {
        ObjectNode header = JSON.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", service);
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("nbf", now.minusSeconds(30).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        claims.set("access", access);
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(rsa.sign());
    }

    static Map<String, List<String>> parse(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> params, String key) {
        List<String> values = params.get(key);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    /** Writes a JSON response. */
    public static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        Tools.deleteTree(dir);
    }
}
