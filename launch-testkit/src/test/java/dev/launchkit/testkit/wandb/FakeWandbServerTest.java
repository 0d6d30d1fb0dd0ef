package dev.launchkit.testkit.wandb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake W&B server over plain HTTP, as any client would see it. */
class FakeWandbServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeWandbServer server = FakeWandbServer.start();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String document, ObjectNode variables, String key) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", document);
        body.set("variables", variables);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/graphql"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (key != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("api:" + key).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode data(String document, ObjectNode variables) throws Exception {
        HttpResponse<String> r = post(document, variables, server.apiKey());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode root = JSON.readTree(r.body());
        assertThat(root.path("errors").isMissingNode()).as(r.body()).isTrue();
        return root.path("data");
    }

    private static ObjectNode vars(String... pairs) {
        ObjectNode v = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            v.put(pairs[i], pairs[i + 1]);
        }
        return v;
    }

    private static final String POP = "mutation popFromRunQueue($entity: String!, $project: String!, "
            + "$queueName: String!) { popFromRunQueue(input: {}) { runQueueItemId runSpec } }";

    @Test
    void anAnonymousViewerIsNullAndOtherAnonymousCallsAre401() throws Exception {
        HttpResponse<String> viewer = post("query Viewer { viewer { id } }", vars(), null);
        HttpResponse<String> pop = post(POP, vars("entity", "e", "project", "model-registry", "queueName", "q"), null);

        assertThat(JSON.readTree(viewer.body()).path("data").path("viewer").isNull()).isTrue();
        assertThat(pop.statusCode()).isEqualTo(401);
        assertThat(server.calls()).extracting(RecordedCall::authorization).containsExactly(false, false);
    }

    @Test
    void aMissingRequiredVariableIsAGraphqlError() throws Exception {
        server.createQueue("team", "q");

        HttpResponse<String> r = post(POP, vars("entity", "team", "project", "model-registry"), server.apiKey());

        assertThat(JSON.readTree(r.body()).path("errors").get(0).path("message").asText())
                .isEqualTo("Variable \"$queueName\" of required type was not provided.");
    }

    @Test
    void prioritisedQueuesPopByPriorityThenAge() throws Exception {
        server.createQueue("team", "q", "kubernetes", FakeWandbServer.json("{}"), List.of(), true);
        ObjectNode spec = (ObjectNode) FakeWandbServer.json("{\"entity\":\"team\",\"project\":\"p\"}");
        String low = server.pushItem("team", "q", spec, 3, Map.of());
        String high1 = server.pushItem("team", "q", spec, 1, Map.of());
        String high2 = server.pushItem("team", "q", spec, 1, Map.of());

        List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(data(POP, vars("entity", "team", "project", "model-registry", "queueName", "q"))
                    .path("popFromRunQueue").path("runQueueItemId").asText());
        }

        assertThat(order).containsExactly(high1, high2, low);
        assertThat(data(POP, vars("entity", "team", "project", "model-registry", "queueName", "q"))
                .path("popFromRunQueue").isNull()).isTrue();
    }

    @Test
    void templateVariablesAreResolvedWithTheirTypeOnPush() {
        server.createQueue("team", "q", "kubernetes", FakeWandbServer.yaml("""
                spec: {parallelism: "{{workers}}", template: {metadata: {labels: {size: "size-{{size}}"}}}}"""),
                List.of(new TemplateVariable("workers", FakeWandbServer.json("{\"type\":\"integer\",\"maximum\":8}")),
                        new TemplateVariable("size", FakeWandbServer.json(
                                "{\"type\":\"string\",\"enum\":[\"s\",\"l\"],\"default\":\"s\"}"))), false);
        ObjectNode spec = (ObjectNode) FakeWandbServer.json("{\"entity\":\"team\",\"project\":\"p\"}");

        String id = server.pushItem("team", "q", spec, 2, Map.of("workers", 4));

        JsonNode k8s = server.item(id).orElseThrow().runSpec().path("resource_args").path("kubernetes");
        assertThat(k8s.at("/spec/parallelism").isInt()).isTrue();
        assertThat(k8s.at("/spec/parallelism").asInt()).isEqualTo(4);
        assertThat(k8s.at("/spec/template/metadata/labels/size").asText()).isEqualTo("size-s");
        assertThatThrownBy(() -> server.pushItem("team", "q", spec, 2, Map.of("workers", 9)))
                .hasMessageContaining("9 is above the maximum 8");
        assertThatThrownBy(() -> server.pushItem("team", "q", spec, 2, Map.of("workers", 1, "size", "xl")))
                .hasMessageContaining("'xl' is not one of");
    }

    @Test
    void signedUrlsServeFilesWithoutCredentialsAndRefuseTampering() throws Exception {
        String id = server.addCodeArtifact("team", "p", "code", Map.of("a.py", "print(1)\n".getBytes(StandardCharsets.UTF_8)));
        String url = data("query GetArtifactFileUrls($id: ID!) { artifact(id: $id) { files { edges { node { name "
                + "directUrl } } } } }", vars("id", id)).at("/artifact/files/edges/0/node/directUrl").asText();

        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> tampered = http.send(HttpRequest.newBuilder(URI.create(url.replace("X-Expires=",
                "X-Expires=9"))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(url).startsWith(server.storageUrl() + "/files/");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("print(1)\n");
        assertThat(tampered.statusCode()).isEqualTo(403);
    }

    @Test
    void injectedFaultsAnswerTheirOperationAsOftenAsAsked() throws Exception {
        server.inject("Viewer", Fault.status(503), 1);

        HttpResponse<String> first = post("query Viewer { viewer { id } }", vars(), server.apiKey());
        HttpResponse<String> second = post("query Viewer { viewer { id } }", vars(), server.apiKey());

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(server.calls()).extracting(RecordedCall::fault).containsExactly("HTTP 503", "");
    }

    @Test
    void idlePollingCanBeLeftOutOfTheRecordedSequence() throws Exception {
        server.createQueue("team", "q");
        server.pushItem("team", "q", FakeWandbServer.json("{\"entity\":\"team\",\"project\":\"p\"}"));
        ObjectNode pop = vars("entity", "team", "project", "model-registry", "queueName", "q");

        data(POP, pop);
        data(POP, pop);

        assertThat(server.operations()).containsExactly("popFromRunQueue", "popFromRunQueue");
        assertThat(server.operationsWithoutIdlePolling()).containsExactly("popFromRunQueue");
        assertThat(server.calls().get(0).poppedItem()).isTrue();
    }
}
