package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.registry.testing.LocalRegistry;
import dev.launchkit.core.registry.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenericRegistryProviderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "harbor-robot-password-42";
    private static LocalRegistry registry;
    private final LaunchContext context = LaunchContext.basic(Map.of());

    @BeforeAll
    static void start() {
        registry = LocalRegistry.withHtpasswd("robot", PASSWORD);
        Skopeo.push(registry.host() + "/team/app:abc123", Optional.of("robot:" + PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static ConfigNode block(String... keyValues) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode block = root.putObject("registry");
        for (int i = 0; i < keyValues.length; i += 2) {
            block.put(keyValues[i], keyValues[i + 1]);
        }
        return ConfigNode.of(root, "launch-config.yaml").child("registry");
    }

    private RegistryProvider provider() {
        return Plugins.load(RegistryProvider.class, "registry").require("generic");
    }

    @Test
    void isDiscoveredAsTheGenericTypeAndDeclaresThePasswordSecret() {
        RegistryProvider p = provider();

        assertThat(p).isInstanceOf(GenericRegistryProvider.class);
        assertThat(p.secretKeys()).containsExactly("password");
        assertThat(p.handles("harbor.example.com/team/app")).isFalse();
    }

    @Test
    void itsCredentialsBecomeADockerConfigThatReallyLogsIn(@TempDir Path dir) throws Exception {
        Registry r = provider().create(block("uri", "http://" + registry.host() + "/team/app", "username", "robot",
                "password", PASSWORD), context);

        Path authFile = dir.resolve("config.json");
        Files.writeString(authFile, DockerConfigs.of(List.of(r.credentials().orElseThrow())));

        assertThat(JSON.readTree(authFile.toFile()).at("/auths/" + registry.host() + "/auth").asText())
                .isEqualTo(java.util.Base64.getEncoder().encodeToString(("robot:" + PASSWORD).getBytes()));
        assertThat(Skopeo.inspect(registry.host() + "/team/app:abc123", authFile).exitCode())
                .as("skopeo logs in with the generated config.json, as Kaniko would")
                .isZero();
    }

    @Test
    void checksImagesOfItsRepository() {
        Registry r = provider().create(block("uri", registry.host() + "/team/app", "insecure", "true",
                "username", "robot", "password", PASSWORD), context);

        assertThat(r.type()).isEqualTo("generic");
        assertThat(r.repositoryUri()).isEqualTo(registry.host() + "/team/app");
        assertThat(r.imageExists("abc123")).isTrue();
        assertThat(r.imageExists("def456")).isFalse();
        r.verify();
    }

    @Test
    void registersThePasswordWithTheMasker() {
        provider().create(block("uri", "http://" + registry.host() + "/team/app", "username", "robot",
                "password", PASSWORD), context);

        assertThat(context.masker().mask("login with " + PASSWORD)).isEqualTo("login with ****");
    }

    @Test
    void verifyNamesTheRegistryWhenTheCredentialsAreWrongAndNeverShowsThePassword() {
        Registry r = provider().create(block("uri", "http://" + registry.host() + "/team/app", "username", "robot",
                "password", "an-old-rotated-password"), context);

        assertThatThrownBy(r::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry " + registry.host() + "/team/app")
                .hasMessageContaining("refused the credentials of user 'robot'")
                .hasMessageNotContaining("an-old-rotated-password");
    }

    @Test
    void anonymousAccessNeedsNoCredentialsAndExposesNone() {
        try (LocalRegistry open = LocalRegistry.plain()) {
            Registry r = provider().create(block("uri", "http://" + open.host() + "/anything"), context);

            assertThat(r.credentials()).isEmpty();
            assertThat(r.credentialHelper()).isEmpty();
            assertThat(r.imageExists("v1")).isFalse();
            r.verify();
        }
    }

    @Test
    void refusesATagInTheUriWithTheReason() {
        assertThatThrownBy(() -> provider().create(block("uri", "harbor.example.com/team/app:v1"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.uri: 'harbor.example.com/team/app:v1' has a tag (':v1')")
                .hasMessageContaining("hash of its source");
    }

    @Test
    void aUsernameWithoutPasswordNamesTheMissingKey() {
        assertThatThrownBy(() -> provider().create(block("uri", "harbor.example.com/team/app", "username", "robot"),
                context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.password: is required when username is set");
    }

    @Test
    void offersTheConfiguredCredentialHelperForBuilders() {
        Registry r = provider().create(block("uri", "harbor.example.com/team/app", "credential-helper", "harbor"),
                context);

        assertThat(r.credentialHelper()).contains("harbor");
        assertThat(r.credentials()).isEmpty();
    }
}
