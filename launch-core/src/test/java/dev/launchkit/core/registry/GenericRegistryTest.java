package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.config.YamlTree;
import dev.launchkit.core.registry.testing.LocalRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generic Docker Registry v2 client against Debian's docker-registry on 127.0.0.1. */
class GenericRegistryTest {
    private final LaunchContext ctx = LaunchContext.basic(Map.of());

    private Registry registry(String yaml) {
        ConfigNode config = YamlTree.parse(yaml, "launch-config.yaml").child("registry");
        return new GenericRegistryProvider().create(config, ctx);
    }

    /** Pushes a config blob and an image manifest (no layers) with the registry's own API. */
    private static void pushImage(LocalRegistry reg, String repo, String tag, String user, String password) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(config));
        HttpRequest.Builder start = HttpRequest.newBuilder(URI.create(reg.endpoint() + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            start.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> started = http.send(start.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(location.startsWith("http") ? location : reg.endpoint() + location);
        String sep = upload.getQuery() == null ? "?" : "&";
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(config));
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode body = json.createObjectNode()
                .put("schemaVersion", 2).put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
        body.putObject("config").put("mediaType", "application/vnd.docker.container.image.v1+json")
                .put("size", config.length).put("digest", digest);
        body.putArray("layers");
        HttpRequest.Builder manifest = HttpRequest.newBuilder(URI.create(reg.endpoint() + "/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (user != null) {
            String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            put.header("Authorization", basic);
            manifest.header("Authorization", basic);
        }
        assertThat(http.send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
        HttpResponse<String> m = http.send(manifest.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).as(m.body()).isEqualTo(201);
    }

    @Test
    void imageExistsIsTrueForAPushedTagAndFalseForAnother() throws Exception {
        try (LocalRegistry reg = LocalRegistry.plain()) {
            pushImage(reg, "team/train", "abc123", null, null);
            Registry r = registry("registry:\n  type: generic\n  uri: http://" + reg.host() + "/team/train\n");
            assertThat(r.repositoryUri()).isEqualTo(reg.host() + "/team/train");
            assertThat(r.imageExists("abc123")).isTrue();
            assertThat(r.imageExists("def456")).isFalse();
            assertThat(r.credentials()).isEmpty();
        }
    }

    @Test
    void basicAuthWorksAndAWrongPasswordIsAClearErrorWithoutTheSecret() throws Exception {
        try (LocalRegistry reg = LocalRegistry.withHtpasswd("ci", "right-password-1")) {
            pushImage(reg, "team/train", "v1", "ci", "right-password-1");
            Registry ok = registry("registry:\n  uri: http://" + reg.host() + "/team/train\n  username: ci\n"
                    + "  password: right-password-1\n");
            assertThat(ok.imageExists("v1")).isTrue();
            assertThat(ok.credentials()).hasValueSatisfying(c -> assertThat(c.username()).isEqualTo("ci"));

            Registry wrong = registry("registry:\n  uri: http://" + reg.host() + "/team/train\n  username: ci\n"
                    + "  password: wrong-password-2\n");
            assertThatThrownBy(() -> wrong.imageExists("v1"))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining(reg.host())
                    .hasMessageNotContaining("wrong-password-2");
        }
    }

    @Test
    void aTagInTheUriIsRefusedWithTheReason() {
        assertThatThrownBy(() -> registry("registry:\n  uri: registry.example.com/team/train:latest\n"))
                .hasMessageContaining("launch-config.yaml:2")
                .hasMessageContaining("has a tag")
                .hasMessageContaining("hash of its source");
    }

    @Test
    void usernameWithoutPasswordNamesTheMissingKey() {
        assertThatThrownBy(() -> registry("registry:\n  uri: registry.example.com/team/train\n  username: ci\n"))
                .hasMessageContaining("registry.password: is required when username is set");
    }
}
