package dev.launchkit.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * A small Docker Registry HTTP API v2 client (the OCI distribution spec) for the questions an agent asks a
 * registry: does {@code repository:tag} exist, and may I use this repository.
 *
 * <p>It answers the registry's {@code WWW-Authenticate} challenge the way docker and Kaniko do: {@code Basic} sends
 * the credentials; {@code Bearer realm=...,service=...} fetches a token for the request's scope from the realm
 * (presenting the credentials with Basic auth, or as an OAuth2 refresh token for registries such as ACR), caches it
 * until shortly before it expires and retries. 401 and 403 become a {@link LaunchException} naming the registry,
 * the repository and what to check; secrets never appear in messages.
 *
 * <pre>{@code
 * RegistryClient client = RegistryClient.builder("registry.example.com")
 *         .credentials(() -> Optional.of(new RegistryCredentials(host, "user", password, null)))
 *         .build();
 * boolean exists = client.manifestExists("team/app", "3f2a9c");
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RegistryClient {
    /** The manifest media types asked for, so multi-arch indexes and OCI images are found as well as Docker ones. */
    public static final List<String> MANIFEST_TYPES = List.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    /** How credentials are presented to a Bearer token service. */
    public enum TokenGrant {
        /** {@code GET realm?service=&scope=} with {@code Authorization: Basic} (docker's default). */
        BASIC,
        /**
         * {@code POST realm} with {@code grant_type=refresh_token} and the password as the refresh token (the
         * OAuth2 form of the token spec; ACR's documented flow for AAD-exchanged refresh tokens).
         */
        REFRESH_TOKEN
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private final String registry;
    private final URI endpoint;
    private final Supplier<Optional<RegistryCredentials>> credentials;
    private final TokenGrant grant;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final SecretMasker masker;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    /** Set once the registry asked for Basic auth, so later requests send credentials up front. */
    private volatile boolean basicAuth;

    private RegistryClient(Builder b) {
        this.registry = b.registry;
        this.endpoint = b.endpoint != null ? b.endpoint
                : URI.create((b.plainHttp ? "http://" : "https://") + b.registry);
        this.credentials = b.credentials;
        this.grant = b.grant;
        this.http = b.http != null ? b.http : HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.timeout = b.timeout;
        this.clock = b.clock;
        this.masker = b.masker;
    }

    /**
     * A builder for a client of the registry at {@code host} ({@code host[:port]}, as in image references), spoken
     * to over HTTPS unless {@link Builder#plainHttp(boolean)} or {@link Builder#endpoint(URI)} say otherwise.
     */
    public static Builder builder(String host) {
        return new Builder(host);
    }

    /** The base URI requests go to, e.g. {@code https://registry.example.com}. */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Whether {@code repository:reference} exists: {@code HEAD /v2/<repository>/manifests/<reference>} with the
     * OCI and Docker manifest (and index/list) media types.
     *
     * @param reference a tag or a digest
     * @return true on 200, false on 404
     * @throws LaunchException (stage build) on 401, 403, other errors, or when the registry cannot be reached
     */
    public boolean manifestExists(String repository, String reference) {
        HttpResponse<byte[]> r = send("HEAD", "/v2/" + repository + "/manifests/" + reference,
                scope(repository, "pull"), repository);
        return switch (r.statusCode()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw unexpected(r, repository);
        };
    }

    /**
     * Checks that the credentials may use {@code repository}: lists at most one tag with a token for the given
     * actions.
     *
     * @param actions {@code pull}, or {@code pull,push} to have the token service check push rights too
     * @return whether the repository is known to the registry (false: 404, e.g. nothing pushed yet)
     * @throws LaunchException on 401, 403, other errors, or when the registry cannot be reached
     */
    public boolean checkRepository(String repository, String actions) {
        HttpResponse<byte[]> r = send("GET", "/v2/" + repository + "/tags/list?n=1", scope(repository, actions),
                repository);
        return switch (r.statusCode()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw unexpected(r, repository);
        };
    }

    private static String scope(String repository, String actions) {
        return "repository:" + repository + ":" + actions;
    }

    private HttpResponse<byte[]> send(String method, String path, String scope, String repository) {
        URI uri = endpoint.resolve(path);
        Optional<String> authorization = cachedAuthorization(scope);
        HttpResponse<byte[]> r = exchange(method, uri, authorization);
        if (r.statusCode() == 401) {
            Challenge challenge = r.headers().firstValue("WWW-Authenticate").flatMap(Challenge::parse)
                    .orElseThrow(() -> failure("registry " + registry + " answered 401 for repository '" + repository
                            + "' without saying how to authenticate (no WWW-Authenticate header)"));
            String fresh = authorize(challenge, scope, repository);
            r = exchange(method, uri, Optional.of(fresh));
            if (r.statusCode() == 401 && insufficientScope(r)) {
                tokens.remove(scope);
                throw failure("registry " + registry + " denied access to repository '" + repository + "' (HTTP 401 "
                        + "insufficient_scope: the token does not grant " + scope + "): the credentials" + user()
                        + " were accepted but lack permission; grant them pull (and push, for builds) on this "
                        + "repository");
            }
            if (r.statusCode() == 401) {
                tokens.remove(scope);
                throw failure("registry " + registry + " refused the credentials" + user() + " for repository '"
                        + repository + "' (HTTP 401" + errorDetail(r) + "): check the username and password or "
                        + "token configured for this registry, and that it has not expired");
            }
        }
        if (r.statusCode() == 403) {
            throw failure("registry " + registry + " denied access to repository '" + repository + "' (HTTP 403"
                    + errorDetail(r) + "): the credentials" + user() + " were accepted but lack permission; grant "
                    + "them pull (and push, for builds) on this repository");
        }
        return r;
    }

    private static boolean insufficientScope(HttpResponse<byte[]> r) {
        return r.headers().firstValue("WWW-Authenticate").flatMap(Challenge::parse)
                .flatMap(c -> c.param("error")).filter("insufficient_scope"::equals).isPresent();
    }

    private Optional<String> cachedAuthorization(String scope) {
        Token token = tokens.get(scope);
        if (token != null && token.validAt(clock.instant())) {
            return Optional.of("Bearer " + token.value());
        }
        if (basicAuth) {
            return credentials.get().map(c -> "Basic " + c.basicAuth());
        }
        return Optional.empty();
    }

    private String authorize(Challenge challenge, String scope, String repository) {
        switch (challenge.scheme()) {
            case "basic" -> {
                RegistryCredentials c = credentials.get().orElseThrow(() -> failure("registry " + registry
                        + " requires a username and password for repository '" + repository + "' (it answered 401 "
                        + "with a Basic challenge) but none are configured; set the registry's username and "
                        + "password"));
                basicAuth = true;
                return "Basic " + c.basicAuth();
            }
            case "bearer" -> {
                String realm = challenge.param("realm").orElseThrow(() -> failure("registry " + registry
                        + " sent a Bearer challenge without a realm; it is not a Docker Registry v2 server"));
                Token token = fetchToken(realm, challenge.param("service"), scope, repository);
                tokens.put(scope, token);
                return "Bearer " + token.value();
            }
            default -> throw failure("registry " + registry + " asks for '" + challenge.scheme() + "' authentication,"
                    + " which is not supported (only Basic and Bearer token auth are)");
        }
    }

    private Token fetchToken(String realm, Optional<String> service, String scope, String repository) {
        Optional<RegistryCredentials> creds = credentials.get();
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw failure("registry " + registry + " named an invalid token realm '" + realm + "'");
        }
        HttpRequest.Builder request;
        if (grant == TokenGrant.REFRESH_TOKEN) {
            RegistryCredentials c = creds.orElseThrow(() -> failure("registry " + registry
                    + " needs a token for repository '" + repository + "' but no refresh token is available"));
            StringJoiner form = new StringJoiner("&");
            form.add("grant_type=refresh_token");
            service.ifPresent(s -> form.add("service=" + encode(s)));
            form.add("scope=" + encode(scope));
            form.add("refresh_token=" + encode(c.password()));
            form.add("client_id=launchkit");
            request = HttpRequest.newBuilder(realmUri)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        } else {
            StringJoiner query = new StringJoiner("&");
            service.ifPresent(s -> query.add("service=" + encode(s)));
            query.add("scope=" + encode(scope));
            String sep = realm.contains("?") ? "&" : "?";
            request = HttpRequest.newBuilder(URI.create(realm + sep + query)).GET();
            creds.ifPresent(c -> request.header("Authorization", "Basic " + c.basicAuth()));
        }
        HttpResponse<byte[]> r = call(request.timeout(timeout).header("Accept", "application/json").build(),
                "the token service " + realmUri.getScheme() + "://" + realmUri.getAuthority() + " of registry "
                        + registry, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw failure("the token service of registry " + registry + " (" + realmUri.getScheme() + "://"
                    + realmUri.getAuthority() + realmUri.getPath() + ") refused the credentials" + user()
                    + " for repository '" + repository + "' (HTTP " + r.statusCode() + errorDetail(r) + "): "
                    + (creds.isEmpty() ? "the registry needs credentials; configure them"
                        : "check the username and password or token, and that it has not expired"));
        }
        if (r.statusCode() != 200) {
            throw failure("the token service of registry " + registry + " answered HTTP " + r.statusCode()
                    + errorDetail(r) + " for repository '" + repository + "'");
        }
        try {
            JsonNode body = JSON.readTree(r.body());
            String value = body.path("token").asText(body.path("access_token").asText(""));
            if (value.isEmpty()) {
                throw failure("the token service of registry " + registry + " answered without a token");
            }
            masker.register(value);
            long seconds = body.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
            Duration lifetime = Duration.ofSeconds(seconds > 0 ? seconds : DEFAULT_TOKEN_LIFETIME.toSeconds());
            // renew a little early so a request never goes out with a token that expires on the way
            Duration margin = lifetime.dividedBy(10).compareTo(Duration.ofSeconds(30)) < 0
                    ? lifetime.dividedBy(10) : Duration.ofSeconds(30);
            return new Token(value, clock.instant().plus(lifetime).minus(margin));
        } catch (IOException e) {
            throw failure("the token service of registry " + registry + " answered with invalid JSON");
        }
    }

    private HttpResponse<byte[]> exchange(String method, URI uri, Optional<String> authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", String.join(", ", MANIFEST_TYPES) + ", application/json")
                .method(method, HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(a -> request.header("Authorization", a));
        HttpResponse.BodyHandler<byte[]> handler = method.equals("HEAD")
                ? info -> HttpResponse.BodySubscribers.replacing(new byte[0])
                : HttpResponse.BodyHandlers.ofByteArray();
        return call(request.build(), "registry " + registry + " at " + endpoint, handler);
    }

    private <T> HttpResponse<T> call(HttpRequest request, String what, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw failure("cannot reach " + what + ": connecting timed out; check the host and port, and that the "
                    + "agent's network can reach it", e);
        } catch (HttpTimeoutException e) {
            throw failure(what + " did not answer within " + timeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw failure("cannot reach " + what + ": connection refused; check the host and port, and that the "
                    + "registry is running and reachable from the agent", e);
        } catch (SSLException e) {
            throw failure("TLS with " + what + " failed (" + e.getMessage() + "); if the registry serves plain "
                    + "HTTP, write its URI with http://", e);
        } catch (IOException e) {
            throw failure("cannot reach " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while talking to " + what, e);
        }
    }

    private LaunchException unexpected(HttpResponse<byte[]> r, String repository) {
        return failure("registry " + registry + " answered HTTP " + r.statusCode() + errorDetail(r)
                + " for repository '" + repository + "'");
    }

    /** {@code : CODE message} from a registry error body ({@code {"errors":[{"code":..,"message":..}]}}), if any. */
    private static String errorDetail(HttpResponse<byte[]> r) {
        byte[] body = r.body();
        if (body == null || body.length == 0) {
            return "";
        }
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode first = json.path("errors").path(0);
            if (first.isMissingNode()) {
                String error = json.path("error").asText(json.path("details").asText(""));
                return error.isEmpty() ? "" : " " + truncate(error);
            }
            String code = first.path("code").asText("");
            String message = first.path("message").asText("");
            return " " + truncate((code + " " + message).trim());
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private String user() {
        try {
            return credentials.get().map(c -> " of user '" + c.username() + "'").orElse(" (none configured)");
        } catch (RuntimeException e) {
            // only for a message: a credential source that fails now already failed the request
            return "";
        }
    }

    private LaunchException failure(String message) {
        return new LaunchException(Stage.BUILD, masker.mask(message));
    }

    private LaunchException failure(String message, Throwable cause) {
        return new LaunchException(Stage.BUILD, masker.mask(message), cause);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private record Token(String value, Instant renewAt) {
        boolean validAt(Instant now) {
            return now.isBefore(renewAt);
        }

        @Override
        public String toString() {
            return "Token[" + SecretMasker.MASK + ", renewAt=" + renewAt + "]";
        }
    }

    /** Configures a {@link RegistryClient}; short-lived and not thread-safe. */
    public static final class Builder {
        private final String registry;
        private URI endpoint;
        private boolean plainHttp;
        private Supplier<Optional<RegistryCredentials>> credentials = Optional::empty;
        private TokenGrant grant = TokenGrant.BASIC;
        private HttpClient http;
        private Duration timeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private SecretMasker masker = new SecretMasker();

        private Builder(String registry) {
            if (registry == null || registry.isBlank()) {
                throw new IllegalArgumentException("registry host is empty");
            }
            this.registry = registry;
        }

        /** Speak plain HTTP to {@code http://host} (for registries without TLS); default false. */
        public Builder plainHttp(boolean plain) {
            this.plainHttp = plain;
            return this;
        }

        /**
         * Send requests to this base URI instead of {@code https://<host>}, e.g. a mirror, a private endpoint or a
         * local test server. Messages still name the registry by its host.
         */
        public Builder endpoint(URI base) {
            this.endpoint = Objects.requireNonNull(base, "endpoint");
            return this;
        }

        /**
         * Where credentials come from; asked on every authentication so short-lived tokens can be renewed. Empty
         * means anonymous.
         */
        public Builder credentials(Supplier<Optional<RegistryCredentials>> source) {
            this.credentials = Objects.requireNonNull(source, "credentials");
            return this;
        }

        /** How credentials are presented to a Bearer token service; default {@link TokenGrant#BASIC}. */
        public Builder tokenGrant(TokenGrant g) {
            this.grant = Objects.requireNonNull(g, "grant");
            return this;
        }

        /** The HTTP client to use (default: HTTP/1.1, 10 s connect timeout, redirects followed except to http). */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /** Timeout of each request; default 30 s. */
        public Builder timeout(Duration t) {
            this.timeout = Objects.requireNonNull(t, "timeout");
            return this;
        }

        /** The clock for token expiry; default UTC system clock. */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** The agent's masker: tokens fetched are registered with it, and messages are masked by it. */
        public Builder masker(SecretMasker m) {
            this.masker = Objects.requireNonNull(m, "masker");
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }
    }
}
