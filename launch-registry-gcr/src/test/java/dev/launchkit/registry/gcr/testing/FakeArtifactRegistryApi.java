package dev.launchkit.registry.gcr.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Artifact Registry REST API's {@code projects.locations.repositories.get}
 * (https://cloud.google.com/artifact-registry/docs/reference/rest/v1/projects.locations.repositories/get): 200 with a
 * Repository resource ({@code name}, {@code format}, ...), 404 NOT_FOUND, 403 PERMISSION_DENIED, 401
 * UNAUTHENTICATED — errors in the Google API error format ({@code {"error":{"code","message","status"}}}).
 */
public final class FakeArtifactRegistryApi implements AutoCloseable {
    private final HttpServer server;
    private final FakeGoogleOAuth oauth;
    private final Map<String, String> repositories = new ConcurrentHashMap<>();
    private final Set<String> forbidden = ConcurrentHashMap.newKeySet();

    public FakeArtifactRegistryApi(FakeGoogleOAuth oauth) throws IOException {
        this.oauth = oauth;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/", this::handle);
        server.start();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Adds a repository, e.g. {@code projects/p/locations/us-central1/repositories/launch}, of a format. */
    public void repository(String name, String format) {
        repositories.put(name, format);
    }

    /** Makes the caller lack {@code artifactregistry.repositories.get} on a repository. */
    public void forbid(String name) {
        forbidden.add(name);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!oauth.authorizes(exchange.getRequestHeaders().getFirst("Authorization"))) {
                error(exchange, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
                return;
            }
            String name = exchange.getRequestURI().getPath().substring("/v1/".length());
            if (forbidden.contains(name)) {
                error(exchange, 403, "PERMISSION_DENIED", "Permission 'artifactregistry.repositories.get' denied on "
                        + "resource '" + name + "' (or it may not exist).");
                return;
            }
            String format = repositories.get(name);
            if (format == null) {
                error(exchange, 404, "NOT_FOUND", "Requested entity was not found.");
                return;
            }
            TokenAuthServer.send(exchange, 200, "{\"name\":\"" + name + "\",\"format\":\"" + format
                    + "\",\"mode\":\"STANDARD_REPOSITORY\"}");
        }
    }

    private static void error(HttpExchange exchange, int code, String status, String message) throws IOException {
        TokenAuthServer.send(exchange, code, "{\"error\":{\"code\":" + code + ",\"message\":\"" + message
                + "\",\"status\":\"" + status + "\"}}");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
