package dev.launchkit.k8s.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real API server for failure tests: fabric8's Kubernetes mock server in mixed mode on 127.0.0.1 (CRUD plus
 * recorded responses, so a test can make the next create answer 503, 429, 403 or 422), spoken to over HTTP by the
 * official client. launch-testkit's SimulatedCluster offers no way to record failures, and no cluster-scoped kinds
 * in discovery, which is why this small server exists beside it. Discovery documents are served complete (with
 * verbs) for the kinds a test registers with {@link #serve}.
 */
public final class FaultInjectingApiServer implements AutoCloseable {
    private static final Pattern DISCOVERY = Pattern.compile("/apis/([^/]+)/([^/?]+)/?(\\?.*)?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, ArrayNode> discovery = new ConcurrentHashMap<>();
    public final KubernetesMockServer server;
    public final ApiClient client;

    public FaultInjectingApiServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses) {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        Matcher m = DISCOVERY.matcher(request.getPath());
                        if ("GET".equals(request.getMethod()) && m.matches()) {
                            ArrayNode resources = discovery.get(m.group(1) + "/" + m.group(2));
                            if (resources != null) {
                                ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList")
                                        .put("apiVersion", "v1").put("groupVersion", m.group(1) + "/" + m.group(2));
                                list.set("resources", resources);
                                return new MockResponse().setResponseCode(200).setBody(list.toString());
                            }
                        }
                        return super.dispatch(request);
                    }
                }, false);
        server.init(java.net.InetAddress.getLoopbackAddress(), 0);
        client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(10)).build());
    }

    /** Serves {@code kind} as {@code plural} (namespaced) in the discovery document of {@code apiVersion}. */
    public FaultInjectingApiServer serve(String apiVersion, String kind, String plural) {
        return serve(apiVersion, kind, plural, true);
    }

    public FaultInjectingApiServer serve(String apiVersion, String kind, String plural, boolean namespaced) {
        ArrayNode resources = discovery.computeIfAbsent(apiVersion, k -> JSON.createArrayNode());
        for (String name : List.of(plural, plural + "/status")) {
            ObjectNode r = resources.addObject().put("name", name).put("singularName", "")
                    .put("namespaced", namespaced).put("kind", kind);
            r.set("verbs", JSON.valueToTree(name.contains("/") ? List.of("get", "patch", "update")
                    : List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")));
        }
        return this;
    }

    @Override
    public void close() {
        server.destroy();
    }
}
