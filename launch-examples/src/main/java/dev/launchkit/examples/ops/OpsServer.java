package dev.launchkit.examples.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The agent's operational HTTP endpoints: {@code /metrics} (Prometheus), {@code /healthz} (liveness: the process
 * answers) and {@code /readyz} (readiness: the agent is polling).
 */
public final class OpsServer implements AutoCloseable {
    private final HttpServer server;

    public OpsServer(InetSocketAddress address, PrometheusMeterRegistry metrics, BooleanSupplier ready) throws IOException {
        server = HttpServer.create(address, 16);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4", metrics.scrape()));
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
        });
        server.start();
    }

    /** The bound port (useful when started on port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
