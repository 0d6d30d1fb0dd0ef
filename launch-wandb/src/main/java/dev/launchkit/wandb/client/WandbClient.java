package dev.launchkit.wandb.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.SecretMasker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GraphQL over HTTP to {@code <base_url>/graphql}, authenticated as the Python SDK does (HTTP basic auth with user
 * {@code api} and the API key as password), plus downloads of the signed URLs the API hands out.
 *
 * <pre>{@code
 * WandbClient client = WandbClient.create(ClientSettings.of(URI.create("https://api.wandb.ai"), key), masker);
 * JsonNode data = client.execute("query Viewer { viewer { id entity username } }", client.variables());
 * data.path("viewer").path("entity").asText();
 * }</pre>
 *
 * <p>Errors: 401/403 → {@link WandbAuthException} at once; 5xx, 429 and network errors are retried with exponential
 * backoff ({@link ClientSettings#maxRetries()}) and then → {@link WandbServerException}; a body that is not JSON →
 * {@link WandbResponseException}; GraphQL {@code errors} → {@link WandbGraphqlException}. Every message quotes the
 * server and passes through the {@link SecretMasker}, with which the key is registered; the key is never logged.
 *
 * <p>Thread-safe; one client serves all queues of an agent.
 */
public final class WandbClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WandbClient.class);
    private static final Pattern OPERATION = Pattern.compile("^\\s*(?:query|mutation)\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final int SNIPPET = 300;

    private final ClientSettings settings;
    private final SecretMasker masker;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String authorization;

    private WandbClient(ClientSettings settings, SecretMasker masker, HttpClient http) {
        this.settings = settings;
        this.masker = masker;
        this.http = http;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString(("api:" + settings.apiKey()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A client for {@code settings}. Registers the API key with {@code masker}.
     *
     * @throws IllegalArgumentException when a CA bundle cannot be read
     */
    public static WandbClient create(ClientSettings settings, SecretMasker masker) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(masker, "masker");
        masker.register(settings.apiKey());
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (!settings.caBundles().isEmpty()) {
            b.sslContext(dev.launchkit.core.tls.TrustBundles.sslContext(settings.caBundles()));
        }
        return new WandbClient(settings, masker, b.build());
    }

    /** The server this client talks to. */
    public URI baseUrl() {
        return settings.baseUrl();
    }

    /** The settings (the key is hidden in {@code toString}). */
    public ClientSettings settings() {
        return settings;
    }

    /** An empty variables object to fill. */
    public ObjectNode variables() {
        return json.createObjectNode();
    }

    /** The name of the first operation of a GraphQL document, e.g. {@code popFromRunQueue}; empty when anonymous. */
    public static String operationName(String document) {
        Matcher m = OPERATION.matcher(document);
        return m.find() ? m.group(1) : "";
    }

    /**
     * Runs one GraphQL operation.
     *
     * @param document  the GraphQL document (one named query or mutation)
     * @param variables its variables
     * @return the {@code data} object of the response
     * @throws WandbException as described in the class comment
     */
    public ObjectNode execute(String document, ObjectNode variables) {
        String op = operationName(document);
        ObjectNode body = json.createObjectNode();
        body.put("query", document);
        body.set("variables", variables == null ? json.createObjectNode() : variables);
        if (!op.isEmpty()) {
            body.put("operationName", op);
        }
        byte[] payload;
        try {
            payload = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new WandbException(op, "cannot encode the variables of " + op + ": " + e.getOriginalMessage(), e);
        }
        URI url = settings.graphqlUrl();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", settings.userAgent())
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        HttpResponse<byte[]> response = send(op, request, HttpResponse.BodyHandlers.ofByteArray(), true);
        return data(op, response);
    }

    /**
     * Downloads a URL the API handed out (a signed storage URL) into memory.
     *
     * @param what what is downloaded, for messages (e.g. {@code the manifest of artifact X})
     */
    public byte[] fetch(URI url, String what) {
        HttpResponse<byte[]> r = send(what, get(url), HttpResponse.BodyHandlers.ofByteArray(), false);
        if (r.statusCode() / 100 != 2) {
            throw downloadError(what, url, r.statusCode(), snippet(r.body()));
        }
        return r.body();
    }

    /**
     * Downloads a URL the API handed out into {@code target} (replacing it).
     *
     * @param what what is downloaded, for messages
     */
    public void download(URI url, Path target, String what) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path part = target.resolveSibling(target.getFileName() + ".part");
            HttpResponse<Path> r = send(what, get(url), HttpResponse.BodyHandlers.ofFile(part), false);
            if (r.statusCode() / 100 != 2) {
                String body = Files.exists(part) ? snippet(Files.readAllBytes(part)) : "";
                Files.deleteIfExists(part);
                throw downloadError(what, url, r.statusCode(), body);
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new WandbException(what, "cannot write " + what + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private HttpRequest get(URI url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(settings.requestTimeout())
                .header("User-Agent", settings.userAgent())
                .GET();
        // Signed URLs carry their own authorisation; the key goes only to the W&B server itself (self-hosted
        // servers serve artifact files from their own origin), never to a storage provider.
        if (sameOrigin(url, settings.baseUrl())) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private WandbException downloadError(String what, URI url, int status, String body) {
        String where = masker.mask(stripQuery(url));
        if (status == 401 || status == 403) {
            return new WandbServerException(what, status, "the download of " + what + " from " + where + " was refused "
                    + "(HTTP " + status + "): the signed URL may have expired; " + body, null);
        }
        return new WandbServerException(what, status, "the download of " + what + " from " + where + " failed with HTTP "
                + status + (body.isEmpty() ? "" : ": " + body), null);
    }

    /**
     * Sends with retries on 5xx, 429 and network errors.
     *
     * @param keyRefusal whether 401/403 means the API key was refused (GraphQL) rather than a bad signed URL
     */
    private <T> HttpResponse<T> send(String op, HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                     boolean keyRefusal) {
        int attempts = settings.maxRetries() + 1;
        Duration backoff = settings.retryBackoff();
        String where = masker.mask(stripQuery(request.uri()));
        for (int attempt = 1; ; attempt++) {
            HttpResponse<T> response = null;
            IOException failure = null;
            long started = System.nanoTime();
            try {
                response = http.send(request, handler);
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WandbException(op, "interrupted while calling W&B " + op);
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (response != null) {
                int status = response.statusCode();
                LOG.debug("W&B {} -> HTTP {} in {} ms (attempt {})", op, status, ms, attempt);
                if (keyRefusal && (status == 401 || status == 403)) {
                    throw authError(op, status, response.body());
                }
                if (status != 429 && status < 500) {
                    return response;
                }
                if (attempt >= attempts) {
                    throw new WandbServerException(op, status, "W&B " + op + " failed with HTTP " + status + " from "
                            + where + " after " + attempts + " attempt" + (attempts == 1 ? "" : "s")
                            + bodySuffix(response.body()), null);
                }
                Duration wait = retryAfter(response).orElse(backoff);
                LOG.warn("W&B {} answered HTTP {}; retrying in {} ms ({} of {})", op, status, wait.toMillis(), attempt,
                        attempts - 1);
                pause(op, wait);
            } else {
                String reason = masker.mask(String.valueOf(failure.getMessage() == null ? failure : failure.getMessage()));
                if (attempt >= attempts) {
                    throw new WandbServerException(op, 0, "W&B " + op + " could not reach " + where + " after "
                            + attempts + " attempt" + (attempts == 1 ? "" : "s") + ": " + reason, failure);
                }
                LOG.warn("W&B {} failed ({}); retrying in {} ms ({} of {})", op, reason, backoff.toMillis(), attempt,
                        attempts - 1);
                pause(op, backoff);
            }
            backoff = next(backoff);
        }
    }

    private Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(settings.maxRetryBackoff()) > 0 ? settings.maxRetryBackoff() : doubled;
    }

    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> h = response.headers().firstValue("Retry-After");
        if (h.isEmpty()) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.ofSeconds(Long.parseLong(h.get().trim()));
            return Optional.of(d.compareTo(settings.maxRetryBackoff()) > 0 ? settings.maxRetryBackoff() : d);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void pause(String op, Duration wait) {
        // A little jitter, so that many agents restarted together do not retry in lock-step.
        long ms = wait.toMillis() + ThreadLocalRandom.current().nextLong(Math.max(1, wait.toMillis() / 10 + 1));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WandbException(op, "interrupted while waiting to retry W&B " + op);
        }
    }

    private WandbAuthException authError(String op, int status, Object body) {
        String server = body instanceof byte[] b ? serverMessage(b) : "";
        return new WandbAuthException(op, status, "W&B refused the API key (HTTP " + status + " from "
                + settings.graphqlUrl() + " for " + op + ")" + (server.isEmpty() ? "" : ": " + server)
                + ". Check that WANDB_API_KEY holds a valid API key for " + settings.baseUrl()
                + " (keys are at " + settings.baseUrl() + "/authorize for self-hosted servers, https://wandb.ai/authorize"
                + " for the W&B cloud)");
    }

    private ObjectNode data(String op, HttpResponse<byte[]> response) {
        byte[] bytes = response.body();
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (IOException e) {
            root = null;
        }
        int status = response.statusCode();
        if (root == null || !root.isObject()) {
            String type = response.headers().firstValue("Content-Type").orElse("none");
            if (status >= 400) {
                throw new WandbServerException(op, status, "W&B " + op + " failed with HTTP " + status + " from "
                        + settings.graphqlUrl() + bodySuffix(bytes), null);
            }
            throw new WandbResponseException(op, "W&B answered " + op + " with a body that is not a JSON object (HTTP "
                    + status + ", Content-Type " + type + "): '" + snippet(bytes) + "'", null);
        }
        List<String> errors = errors(root);
        if (!errors.isEmpty()) {
            throw new WandbGraphqlException(op, "W&B " + op + " failed" + (status >= 400 ? " (HTTP " + status + ")" : "")
                    + ": " + String.join("; ", errors), errors);
        }
        if (status >= 400) {
            throw new WandbServerException(op, status, "W&B " + op + " failed with HTTP " + status + bodySuffix(bytes),
                    null);
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new WandbResponseException(op, "W&B answered " + op + " without a data object: '" + snippet(bytes)
                    + "'", null);
        }
        return (ObjectNode) data;
    }

    private List<String> errors(JsonNode root) {
        JsonNode errs = root.path("errors");
        List<String> out = new ArrayList<>();
        if (errs.isArray()) {
            for (JsonNode e : errs) {
                String m = e.path("message").asText(e.toString());
                out.add(masker.mask(m));
            }
        } else if (errs.isTextual()) {
            out.add(masker.mask(errs.asText()));
        }
        return out;
    }

    private String serverMessage(byte[] body) {
        try {
            JsonNode root = json.readTree(body);
            if (root != null && root.isObject()) {
                List<String> errs = errors(root);
                if (!errs.isEmpty()) {
                    return String.join("; ", errs);
                }
            }
        } catch (IOException e) {
            // not JSON: quote the text below
        }
        return snippet(body);
    }

    private String bodySuffix(Object body) {
        if (body instanceof byte[] b) {
            String m = serverMessage(b);
            return m.isEmpty() ? "" : ": " + m;
        }
        return "";
    }

    private String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, SNIPPET * 4), StandardCharsets.UTF_8)
                .replaceAll("\\s+", " ").trim();
        if (text.length() > SNIPPET) {
            text = text.substring(0, SNIPPET) + "…";
        }
        return masker.mask(text);
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** A URL without its query, so signatures of signed URLs never reach a message. */
    private static String stripQuery(URI url) {
        String s = url.toString();
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }

    /** Nothing to release: the JDK 17 HTTP client frees its connections when unreferenced. */
    @Override
    public void close() {
    }
}
