package dev.launchkit.registry.gcr.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * The parts of the Cloud Storage JSON API (https://cloud.google.com/storage/docs/json_api/v1) that
 * google-cloud-storage uses for a build-context store, in memory:
 * <ul>
 *   <li>resumable uploads (https://cloud.google.com/storage/docs/performing-resumable-uploads):
 *       {@code POST /upload/storage/v1/b/{bucket}/o?uploadType=resumable&name=..} → 200 + {@code Location}; then
 *       {@code PUT <session>} with {@code Content-Range: bytes a-b/total} → 308 + {@code Range} until complete, then
 *       200 with the object resource;</li>
 *   <li>{@code GET/DELETE /storage/v1/b/{bucket}/o/{object}} (objects.get / objects.delete);</li>
 *   <li>{@code GET /storage/v1/b/{bucket}/iam/testPermissions?permissions=..} (buckets.testIamPermissions).</li>
 * </ul>
 * Every call needs a bearer token issued by {@link FakeGoogleOAuth}; errors use the JSON API error format.
 */
public final class FakeGcs implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final FakeGoogleOAuth oauth;
    /** bucket → permissions the caller holds on it. */
    private final Map<String, Set<String>> buckets = new ConcurrentHashMap<>();
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private record Session(String bucket, String name, String contentType, ByteArrayOutputStream data) {
    }

    public FakeGcs(FakeGoogleOAuth oauth) throws IOException {
        this.oauth = oauth;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Creates a bucket on which the caller holds {@code permissions}. */
    public void bucket(String name, Set<String> permissions) {
        buckets.put(name, Set.copyOf(permissions));
    }

    /** The content of an object, if it exists. */
    public Optional<byte[]> object(String bucket, String name) {
        return Optional.ofNullable(objects.get(bucket + "/" + name));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!oauth.authorizes(exchange.getRequestHeaders().getFirst("Authorization"))) {
                error(exchange, 401, "Invalid Credentials");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            if (path.startsWith("/upload/storage/v1/b/")) {
                upload(exchange, path, query);
            } else if (path.startsWith("/storage/v1/b/")) {
                String[] parts = path.substring("/storage/v1/b/".length()).split("/", 3);
                String bucket = decode(parts[0]);
                if (!buckets.containsKey(bucket)) {
                    error(exchange, 404, "The specified bucket does not exist.");
                } else if (parts.length == 3 && parts[1].equals("iam") && parts[2].equals("testPermissions")) {
                    ArrayNode held = JSON.createArrayNode();
                    query.getOrDefault("permissions", List.of()).stream()
                            .filter(buckets.get(bucket)::contains).forEach(held::add);
                    ObjectNode body = JSON.createObjectNode().put("kind", "storage#testIamPermissionsResponse");
                    body.set("permissions", held);
                    TokenAuthServer.send(exchange, 200, body.toString());
                } else if (parts.length == 3 && parts[1].equals("o")) {
                    object(exchange, method, bucket, decode(parts[2]));
                } else {
                    error(exchange, 400, "unsupported by the fake: " + method + " " + path);
                }
            } else {
                error(exchange, 400, "unsupported by the fake: " + method + " " + path);
            }
        }
    }

    private void object(HttpExchange exchange, String method, String bucket, String name) throws IOException {
        byte[] data = objects.get(bucket + "/" + name);
        if (method.equals("DELETE")) {
            if (!buckets.get(bucket).contains("storage.objects.delete")) {
                error(exchange, 403, "caller does not have storage.objects.delete access");
            } else if (objects.remove(bucket + "/" + name) == null) {
                error(exchange, 404, "No such object: " + bucket + "/" + name);
            } else {
                exchange.sendResponseHeaders(204, -1);
            }
        } else if (data == null) {
            error(exchange, 404, "No such object: " + bucket + "/" + name);
        } else {
            TokenAuthServer.send(exchange, 200, resource(bucket, name, data.length, "application/octet-stream"));
        }
    }

    private void upload(HttpExchange exchange, String path, Map<String, List<String>> query) throws IOException {
        String bucket = decode(path.substring("/upload/storage/v1/b/".length()).split("/")[0]);
        if (!buckets.containsKey(bucket)) {
            error(exchange, 404, "The specified bucket does not exist.");
            return;
        }
        if (!buckets.get(bucket).contains("storage.objects.create")) {
            error(exchange, 403, "caller does not have storage.objects.create access to the Google Cloud Storage "
                    + "bucket");
            return;
        }
        byte[] body = body(exchange);
        if (exchange.getRequestMethod().equals("POST")) {
            if (!"resumable".equals(first(query, "uploadType"))) {
                error(exchange, 400, "only resumable uploads are supported by the fake");
                return;
            }
            String name = first(query, "name");
            String contentType = "application/octet-stream";
            if (body.length > 0) {
                var meta = JSON.readTree(body);
                name = meta.path("name").asText(name);
                contentType = meta.path("contentType").asText(contentType);
            }
            String id = UUID.randomUUID().toString();
            sessions.put(id, new Session(bucket, name, contentType, new ByteArrayOutputStream()));
            exchange.getResponseHeaders().set("Location", endpoint() + "/upload/storage/v1/b/"
                    + URLEncoder.encode(bucket, StandardCharsets.UTF_8) + "/o?uploadType=resumable&upload_id=" + id);
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        Session session = sessions.get(first(query, "upload_id"));
        if (session == null) {
            error(exchange, 404, "unknown upload session");
            return;
        }
        session.data().write(body);
        String range = exchange.getRequestHeaders().getFirst("Content-Range");
        String total = range == null ? "*" : range.substring(range.lastIndexOf('/') + 1);
        if (total.equals("*")) {
            exchange.getResponseHeaders().set("Range", "bytes=0-" + (session.data().size() - 1));
            exchange.sendResponseHeaders(308, -1);
            return;
        }
        byte[] data = session.data().toByteArray();
        objects.put(session.bucket() + "/" + session.name(), data);
        sessions.values().remove(session);
        TokenAuthServer.send(exchange, 200, resource(session.bucket(), session.name(), data.length,
                session.contentType()));
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        return in.readAllBytes();
    }

    private static String resource(String bucket, String name, int size, String contentType) {
        return JSON.createObjectNode().put("kind", "storage#object").put("id", bucket + "/" + name + "/1")
                .put("bucket", bucket).put("name", name).put("size", String.valueOf(size)).put("generation", "1")
                .put("metageneration", "1").put("contentType", contentType).toString();
    }

    private static void error(HttpExchange exchange, int code, String message) throws IOException {
        TokenAuthServer.send(exchange, code, "{\"error\":{\"code\":" + code + ",\"message\":\"" + message
                + "\",\"errors\":[{\"message\":\"" + message + "\",\"domain\":\"global\",\"reason\":\""
                + (code == 401 ? "authError" : code == 403 ? "forbidden" : code == 404 ? "notFound" : "invalid")
                + "\"}]}}");
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return out;
    }

    private static String first(Map<String, List<String>> query, String key) {
        List<String> v = query.get(key);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
