package dev.launchkit.wandb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.testkit.wandb.Fault;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.RecordedCall;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbClientTest {
    private final FakeWandbServer server = FakeWandbServer.start();
    private final SecretMasker masker = new SecretMasker();

    @AfterEach
    void stop() {
        server.close();
    }

    private WandbClient client(String key) {
        return WandbClient.create(ClientSettings.of(URI.create(server.baseUrl()), key)
                .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(40)), masker);
    }

    private ObjectNode viewer(WandbClient client) {
        return client.execute(Operations.VIEWER, client.variables());
    }

    @Test
    void authenticatesWithBasicAuthAndKeepsTheKeyOutOfTheBody() {
        ObjectNode data = viewer(client(server.apiKey()));

        assertThat(data.path("viewer").path("username").asText()).isEqualTo(FakeWandbServer.DEFAULT_USER);
        RecordedCall call = server.calls().get(0);
        assertThat(call.operation()).isEqualTo("Viewer");
        assertThat(call.authorization()).isTrue();
        assertThat(call.body()).doesNotContain(server.apiKey()).contains("\"operationName\":\"Viewer\"");
    }

    @Test
    void registersTheApiKeyWithTheMasker() {
        client(server.apiKey());

        assertThat(masker.mask("key=" + server.apiKey())).isEqualTo("key=" + SecretMasker.MASK);
    }

    @Test
    void retriesServerErrorsWithBackoffUntilTheServerAnswers() {
        server.inject("Viewer", Fault.status(503), 2);

        ObjectNode data = viewer(client(server.apiKey()));

        assertThat(data.path("viewer").isObject()).isTrue();
        assertThat(server.calls()).extracting(RecordedCall::status).containsExactly(503, 503, 200);
    }

    @Test
    void retriesTooManyRequests() {
        server.inject("Viewer", Fault.status(429), 1);

        viewer(client(server.apiKey()));

        assertThat(server.calls()).extracting(RecordedCall::status).containsExactly(429, 200);
    }

    @Test
    void givesUpAfterTheRetriesQuotingTheStatusAndTheServer() {
        server.injectAlways("Viewer", Fault.status(500));
        WandbClient client = client(server.apiKey());

        assertThatThrownBy(() -> viewer(client))
                .isInstanceOf(WandbServerException.class)
                .hasMessageContaining("W&B Viewer failed with HTTP 500")
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining("injected HTTP 500");
        assertThat(server.calls()).hasSize(3);
    }

    @Test
    void aRefusedKeyFailsAtOnceWithAMessageNamingWandbApiKeyButNotTheKey() {
        String wrong = "wrongkey0000000000000000000000000000000000";
        WandbClient client = client(wrong);

        assertThatThrownBy(() -> viewer(client))
                .isInstanceOf(WandbAuthException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("WANDB_API_KEY")
                .hasMessageContaining("invalid API key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThat(server.calls()).hasSize(1);
    }

    @Test
    void aBodyThatIsNotJsonIsReportedWithTheServersText() {
        server.inject("Viewer", Fault.malformedJson(), 1);
        WandbClient client = client(server.apiKey());

        assertThatThrownBy(() -> viewer(client))
                .isInstanceOf(WandbResponseException.class)
                .hasMessageContaining("not a JSON object")
                .hasMessageContaining("502 Bad Gateway (proxy)");
    }

    @Test
    void graphqlErrorsAreQuoted() {
        server.inject("Viewer", Fault.graphqlError("entity my-team is locked"), 1);
        WandbClient client = client(server.apiKey());

        assertThatThrownBy(() -> viewer(client))
                .isInstanceOf(WandbGraphqlException.class)
                .hasMessageContaining("W&B Viewer failed: entity my-team is locked")
                .satisfies(e -> assertThat(((WandbGraphqlException) e).serverMessages())
                        .containsExactly("entity my-team is locked"));
    }

    @Test
    void aServerMessageEchoingTheKeyIsMasked() {
        server.inject("Viewer", Fault.graphqlError("bad token " + server.apiKey()), 1);
        WandbClient client = client(server.apiKey());

        assertThatThrownBy(() -> viewer(client)).hasMessageContaining("bad token ****")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(server.apiKey()));
    }

    @Test
    void anUnreachableServerIsAServerExceptionAfterRetries() {
        WandbClient client = WandbClient.create(ClientSettings.of(URI.create("http://127.0.0.1:1"), "k".repeat(40))
                .withRetries(1, Duration.ofMillis(5), Duration.ofMillis(5)), masker);

        assertThatThrownBy(() -> viewer(client))
                .isInstanceOf(WandbServerException.class)
                .hasMessageContaining("could not reach http://127.0.0.1:1/graphql after 2 attempts")
                .satisfies(e -> assertThat(((WandbServerException) e).transientFailure()).isTrue());
    }

    @Test
    void downloadsOfSignedUrlsOnAnotherOriginCarryNoAuthorization(@TempDir Path dir) throws Exception {
        String id = server.addCodeArtifact("fake-user", "p", "code", Map.of("main.py",
                "print('hi')\n".getBytes(StandardCharsets.UTF_8)));
        WandbClient client = client(server.apiKey());
        ObjectNode vars = client.variables();
        vars.put("id", id);
        String url = client.execute(Operations.GET_ARTIFACT_FILE_URLS, vars).path("artifact").path("files")
                .path("edges").get(0).path("node").path("directUrl").asText();

        client.download(URI.create(url), dir.resolve("main.py"), "main.py");

        assertThat(dir.resolve("main.py")).hasContent("print('hi')");
        RecordedCall download = server.calls().stream().filter(c -> c.kind() == RecordedCall.Kind.DOWNLOAD)
                .findFirst().orElseThrow();
        assertThat(download.authorization()).isFalse();
        assertThat(url).startsWith(server.storageUrl());
    }

    @Test
    void trustsTheCaBundleNamedByRequestsCaBundle(@TempDir Path dir) {
        try (FakeWandbServer tls = FakeWandbServer.startTls(dir)) {
            ClientSettings settings = ClientSettings.of(URI.create(tls.baseUrl()), tls.apiKey())
                    .withRetries(0, Duration.ofMillis(5), Duration.ofMillis(5));
            WandbClient trusting = WandbClient.create(settings.withCaBundles(List.of(tls.caBundle().orElseThrow())),
                    masker);
            WandbClient plain = WandbClient.create(settings, masker);

            assertThat(trusting.execute(Operations.VIEWER, trusting.variables()).path("viewer").isObject()).isTrue();
            assertThatThrownBy(() -> plain.execute(Operations.VIEWER, plain.variables()))
                    .isInstanceOf(WandbServerException.class)
                    .hasMessageContaining("could not reach " + tls.baseUrl());
        }
    }

    @Test
    void namesTheOperationOfADocument() {
        assertThat(WandbClient.operationName(Operations.POP_FROM_RUN_QUEUE)).isEqualTo("popFromRunQueue");
        assertThat(WandbClient.operationName(Operations.CREATE_DEFAULT_RESOURCE_CONFIG))
                .isEqualTo("CreateDefaultResourceConfig");
        assertThat(WandbClient.operationName("{ viewer { id } }")).isEmpty();
    }
}
