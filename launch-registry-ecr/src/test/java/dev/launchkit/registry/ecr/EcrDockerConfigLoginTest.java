package dev.launchkit.registry.ecr;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.registry.ecr.fakes.LocalDockerRegistry;
import dev.launchkit.registry.ecr.fakes.Skopeo;
import dev.launchkit.registry.ecr.fakes.TestAws;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that the docker config the plugin hands to Kaniko (and to the run's pull secret) really logs in: the
 * registry ({@code docker-registry} with htpasswd) only knows user {@code AWS} and the password inside the token
 * the fake ECR issued, and {@code skopeo} pushes and pulls with the generated {@code config.json}.
 *
 * <p>A real ECR host cannot be served here, so the entry the plugin wrote for the ECR host is moved, unchanged, to
 * the local registry's host key; that the key is the ECR host is asserted separately.
 */
class EcrDockerConfigLoginTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestAws aws = new TestAws();
    @TempDir
    Path dir;

    @Test
    void dockerConfigFromTheEcrTokenPushesAndPullsAtARegistryThatChecksThePassword() throws Exception {
        EcrRegistry registry = (EcrRegistry) aws.closeLater(new EcrRegistryProvider().create(
                config("uri: " + TestAws.HOST + "/launch\n"), aws.context()));
        RegistryCredentials credentials = registry.credentials().orElseThrow();
        JsonNode generated = JSON.readTree(registry.dockerConfigJson());
        assertThat(generated.path("auths").fieldNames()).toIterable().containsExactly(TestAws.HOST);

        try (LocalDockerRegistry local = LocalDockerRegistry.start(Files.createDirectories(dir.resolve("registry")),
                credentials.username(), credentials.password())) {
            ObjectNode rekeyed = JSON.createObjectNode();
            rekeyed.putObject("auths").set(local.host(), generated.path("auths").path(TestAws.HOST));
            Path authfile = Files.writeString(dir.resolve("config.json"), rekeyed.toString());
            Path image = Skopeo.writeOciLayout(Files.createDirectories(dir.resolve("image")), "v1");

            Skopeo.Result push = Skopeo.run("copy", "--dest-tls-verify=false", "--dest-authfile", authfile.toString(),
                    "oci:" + image + ":v1", "docker://" + local.host() + "/launch:3f2a9c");
            Skopeo.Result pull = Skopeo.run("inspect", "--tls-verify=false", "--authfile", authfile.toString(),
                    "docker://" + local.host() + "/launch:3f2a9c");
            Path wrong = Files.writeString(dir.resolve("wrong.json"), "{\"auths\":{\"" + local.host()
                    + "\":{\"auth\":\"" + java.util.Base64.getEncoder().encodeToString("AWS:not-the-token".getBytes())
                    + "\"}}}");
            Skopeo.Result refused = Skopeo.run("inspect", "--tls-verify=false", "--authfile", wrong.toString(),
                    "docker://" + local.host() + "/launch:3f2a9c");

            assertThat(push.exitCode()).as(push.output()).isZero();
            assertThat(pull.exitCode()).as(pull.output()).isZero();
            assertThat(pull.output()).contains("\"Name\": \"" + local.host() + "/launch\"");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("unauthorized");
        }
    }
}
