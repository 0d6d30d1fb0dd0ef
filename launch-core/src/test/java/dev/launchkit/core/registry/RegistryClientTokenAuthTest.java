package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.registry.testing.LocalRegistry;
import dev.launchkit.core.registry.testing.Skopeo;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against Debian's docker-registry configured for token authentication: the registry answers 401 with
 * {@code Bearer realm=..,service=..,scope=..}, the client fetches a JWT from the token service and the registry
 * verifies its signature and {@code access} claim.
 */
class RegistryClientTokenAuthTest {
    private static final String PASSWORD = "token-user-password";
    private static TokenAuthServer tokens;
    private static LocalRegistry registry;

    @BeforeAll
    static void start() {
        tokens = TokenAuthServer.start("test-registry", "/token", TokenAuthServer.Policy.user("ci", PASSWORD, "pull",
                "push"));
        registry = LocalRegistry.withTokenAuth(tokens);
        Skopeo.push(registry.host() + "/launch/job:v1", Optional.of("ci:" + PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @AfterEach
    void restorePolicy() {
        tokens.policy(TokenAuthServer.Policy.user("ci", PASSWORD, "pull", "push"));
    }

    private static RegistryClient.Builder client(String password) {
        return RegistryClient.builder(registry.host()).plainHttp(true)
                .credentials(() -> Optional.of(new RegistryCredentials(registry.host(), "ci", password, null)));
    }

    @Test
    void fetchesATokenForThePullScopeOfTheRepositoryAndFindsTheTag() {
        int before = tokens.requests().size();
        RegistryClient client = client(PASSWORD).build();

        assertThat(client.manifestExists("launch/job", "v1")).isTrue();
        assertThat(client.manifestExists("launch/job", "v9")).isFalse();

        assertThat(tokens.requests().subList(before, tokens.requests().size()))
                .as("one token for both requests: it is cached until shortly before it expires")
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.method()).isEqualTo("GET");
                    assertThat(r.username()).isEqualTo("ci");
                    assertThat(r.scopes()).containsExactly("repository:launch/job:pull");
                });
    }

    @Test
    void renewsTheTokenOnceItIsAboutToExpire() {
        Instant[] now = {Instant.parse("2026-11-28T10:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        RegistryClient client = client(PASSWORD).clock(clock).build();
        int before = tokens.requests().size();

        client.manifestExists("launch/job", "v1");
        now[0] = now[0].plus(Duration.ofMinutes(4));
        client.manifestExists("launch/job", "v1");
        now[0] = now[0].plus(Duration.ofSeconds(50));
        client.manifestExists("launch/job", "v1");

        assertThat(tokens.requests().size() - before)
                .as("a 5-minute token is reused after 4 minutes and renewed 30 s before it expires")
                .isEqualTo(2);
    }

    @Test
    void presentsARefreshTokenWithTheOauth2GrantWhenAskedTo() {
        tokens.policy(new TokenAuthServer.Policy() {
            @Override
            public boolean authenticates(String username, String secret) {
                return username.isEmpty() && secret.equals("refresh-token-value");
            }

            @Override
            public Set<String> allowedActions(String username, String repository) {
                return Set.of("pull");
            }
        });
        int before = tokens.requests().size();
        RegistryClient client = client("refresh-token-value").tokenGrant(RegistryClient.TokenGrant.REFRESH_TOKEN)
                .build();

        assertThat(client.manifestExists("launch/job", "v1")).isTrue();
        assertThat(tokens.requests().get(before)).satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.grantType()).isEqualTo("refresh_token");
            assertThat(r.scopes()).containsExactly("repository:launch/job:pull");
        });
    }

    @Test
    void aWrongPasswordIsRefusedByTheTokenServiceWithoutShowingThePassword() {
        RegistryClient client = client("not-the-password").build();

        assertThatThrownBy(() -> client.manifestExists("launch/job", "v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("the token service of registry " + registry.host())
                .hasMessageContaining("refused the credentials of user 'ci'")
                .hasMessageContaining("HTTP 401 UNAUTHORIZED")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void credentialsWithoutPermissionOnTheRepositoryAreReportedAsMissingPermission() {
        tokens.policy(new TokenAuthServer.Policy() {
            @Override
            public boolean authenticates(String username, String secret) {
                return secret.equals(PASSWORD);
            }

            @Override
            public Set<String> allowedActions(String username, String repository) {
                return Set.of();
            }
        });
        RegistryClient client = client(PASSWORD).build();

        assertThatThrownBy(() -> client.manifestExists("launch/job", "v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("registry " + registry.host() + " denied access to repository 'launch/job'")
                .hasMessageContaining("insufficient_scope")
                .hasMessageContaining("lack permission");
    }

    @Test
    void tokensFetchedAreRegisteredWithTheMasker() {
        SecretMasker masker = new SecretMasker();
        client(PASSWORD).masker(masker).build().manifestExists("launch/job", "v1");

        assertThat(masker.isEmpty()).isFalse();
    }
}
