package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.Stage;
import dev.launchkit.core.registry.testing.LocalRegistry;
import dev.launchkit.core.registry.testing.Skopeo;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against Debian's docker-registry: anonymous, and with htpasswd Basic auth. */
class RegistryClientBasicAuthTest {
    private static final String PASSWORD = "s3cr3t-registry-password";
    private static LocalRegistry plain;
    private static LocalRegistry basic;

    @BeforeAll
    static void startRegistries() {
        plain = LocalRegistry.plain();
        basic = LocalRegistry.withHtpasswd("launch", PASSWORD);
        Skopeo.push(plain.host() + "/launch/job:v1", Optional.empty());
        Skopeo.push(basic.host() + "/launch/job:v1", Optional.of("launch:" + PASSWORD));
    }

    @AfterAll
    static void stopRegistries() {
        if (plain != null) {
            plain.close();
        }
        if (basic != null) {
            basic.close();
        }
    }

    private static RegistryClient client(LocalRegistry registry, Optional<RegistryCredentials> credentials) {
        return RegistryClient.builder(registry.host()).plainHttp(true).credentials(() -> credentials).build();
    }

    private static Optional<RegistryCredentials> creds(String password) {
        return Optional.of(new RegistryCredentials(basic.host(), "launch", password, null));
    }

    @Test
    void findsAPushedTagAndNotAMissingOneOnAnAnonymousRegistry() {
        RegistryClient client = client(plain, Optional.empty());

        assertThat(client.manifestExists("launch/job", "v1")).isTrue();
        assertThat(client.manifestExists("launch/job", "nope")).isFalse();
        assertThat(client.manifestExists("never/pushed", "v1")).isFalse();
    }

    @Test
    void answersABasicChallengeWithTheConfiguredCredentials() {
        RegistryClient client = client(basic, creds(PASSWORD));

        assertThat(client.manifestExists("launch/job", "v1")).isTrue();
        assertThat(client.manifestExists("launch/job", "v2")).isFalse();
        assertThat(client.checkRepository("launch/job", "pull,push")).isTrue();
        assertThat(client.checkRepository("not/yet/pushed", "pull,push")).isFalse();
    }

    @Test
    void saysThatCredentialsAreNeededWhenNoneAreConfigured() {
        RegistryClient client = client(basic, Optional.empty());

        assertThatThrownBy(() -> client.manifestExists("launch/job", "v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("registry " + basic.host() + " requires a username and password")
                .hasMessageContaining("'launch/job'")
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.BUILD));
    }

    @Test
    void aWrongPasswordIsRefusedWithAMessageThatNamesTheRegistryButNotThePassword() {
        RegistryClient client = client(basic, creds("wrong-password-value"));

        assertThatThrownBy(() -> client.manifestExists("launch/job", "v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("registry " + basic.host() + " refused the credentials of user 'launch'")
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("check the username and password")
                .hasMessageNotContaining("wrong-password-value");
    }
}
