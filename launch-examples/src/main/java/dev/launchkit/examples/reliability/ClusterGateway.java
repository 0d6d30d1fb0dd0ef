package dev.launchkit.examples.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Lets agent processes reach a {@link SimulatedCluster} of this process as if it were a real API server: a plain HTTP
 * endpoint on 127.0.0.1 that passes each request on through the cluster's own client, so watches come back as the
 * chunked streams a real server sends, and the cluster counts them and injects its faults into them as for
 * in-process clients. A watch whose agent dies ends on the cluster side as soon as the write to the agent fails.
 */
public final class ClusterGateway implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "transfer-encoding",
            "keep-alive", "upgrade");
    private final HttpServer server;
    private final ExecutorService threads;
    private final OkHttpClient upstream;
    private final String target;

    private ClusterGateway(SimulatedCluster cluster) throws IOException {
        ApiClient client = cluster.apiClient();
        // Watches are long and quiet: no read timeout on the way through; the agent keeps its own.
        this.upstream = client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build();
        this.target = cluster.url();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cluster-gateway");
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a gateway to {@code cluster}. */
    public static ClusterGateway start(SimulatedCluster cluster) throws IOException {
        return new ClusterGateway(cluster);
    }

    /** The URL agents use as their API server, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            RequestBody requestBody = body.length > 0 || method.equals("POST") || method.equals("PUT")
                    || method.equals("PATCH")
                    ? RequestBody.create(body, type == null ? null : MediaType.parse(type)) : null;
            Request.Builder req = new Request.Builder().url(target + ex.getRequestURI().toString())
                    .method(method, requestBody);
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    h.getValue().forEach(v -> req.addHeader(h.getKey(), v));
                }
            }
            try (Response resp = upstream.newCall(req.build()).execute()) {
                resp.headers().forEach(h -> {
                    if (!HOP_BY_HOP.contains(h.getFirst().toLowerCase(Locale.ROOT))) {
                        ex.getResponseHeaders().add(h.getFirst(), h.getSecond());
                    }
                });
                ResponseBody rb = resp.body();
                boolean streaming = "true".equals(ex.getRequestURI().getQuery() == null ? null
                        : queryParam(ex.getRequestURI().getQuery(), "watch"));
                if (!streaming) {
                    byte[] bytes = rb == null ? new byte[0] : rb.bytes();
                    ex.sendResponseHeaders(resp.code(), bytes.length == 0 ? -1 : bytes.length);
                    if (bytes.length > 0) {
                        ex.getResponseBody().write(bytes);
                    }
                    return;
                }
                ex.sendResponseHeaders(resp.code(), 0);
                OutputStream out = ex.getResponseBody();
                if (rb != null) {
                    InputStream in = rb.byteStream();
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The agent went away (killed) or the cluster closed: closing the exchange and the response ends both
            // sides of this request.
        }
    }

    private static String queryParam(String query, String name) {
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return part.substring(eq + 1);
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
