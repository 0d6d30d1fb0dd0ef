package dev.launchkit.registry.acr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.registry.testing.LocalRegistry;
import dev.launchkit.core.registry.testing.Skopeo;
import dev.launchkit.core.registry.testing.Tools;
import dev.launchkit.registry.acr.testing.FakeAcr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The acr registry over HTTP: a fake ACR auth service ({@code /oauth2/exchange}, {@code /oauth2/token}) and Debian's
 * docker-registry with token authentication whose realm is that service. The agent's Entra credential is a
 * {@link TokenCredential} handing out a fixed AAD token (no Entra endpoint can be served over plain HTTP: azure-identity
 * requires an https authority).
 */
class AcrRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "launchreg.azurecr.io";
    private static final String URI = HOST + "/launch/job";
    private static final String AAD_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.aad-access-token-for-the-agent";
    private static FakeAcr acr;
    private static LocalRegistry registry;

    private final AtomicInteger aadCalls = new AtomicInteger();
    private final TokenCredential agentIdentity = request -> {
        aadCalls.incrementAndGet();
        return Mono.just(new AccessToken(AAD_TOKEN, OffsetDateTime.now().plusHours(1)));
    };
    private final LaunchContext context = LaunchContext.basic(Map.of("AZURE_TENANT_ID", "tenant-1234"));

    @BeforeAll
    static void start() {
        acr = new FakeAcr(HOST);
        acr.acceptAad(AAD_TOKEN);
        registry = LocalRegistry.withTokenAuth(acr.tokenServer());
        Skopeo.push(registry.host() + "/launch/job:abc123", Optional.of("seed:seed-password"));
        Skopeo.push(registry.host() + "/launch/other:def456", Optional.of("seed:seed-password"));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (acr != null) {
            acr.close();
        }
    }

    private static ConfigNode block(String... keyValues) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode block = root.putObject("registry");
        block.put("type", "acr");
        for (int i = 0; i < keyValues.length; i += 2) {
            block.put(keyValues[i], keyValues[i + 1]);
        }
        return ConfigNode.of(root, "launch-config.yaml").child("registry");
    }

    /** A block pointing at the local registry and fake auth service, plus the given keys. */
    private static ConfigNode local(String... keyValues) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("uri", URI);
        values.put("endpoint", registry.endpoint().toString());
        values.put("token-endpoint", acr.baseUri().toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return block(values.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new));
    }

    private Registry create(ConfigNode block) {
        return new AcrRegistryProvider((b, c) -> agentIdentity).create(block, context);
    }

    @Test
    void isDiscoveredAndClaimsAzurecrHosts() {
        RegistryProvider p = Plugins.load(RegistryProvider.class, "registry").require("acr");

        assertThat(p).isInstanceOf(AcrRegistryProvider.class);
        assertThat(p.handles(URI)).isTrue();
        assertThat(p.handles("https://other.azurecr.io/x/y")).isTrue();
        assertThat(p.handles("us-central1-docker.pkg.dev/p/r/i")).isFalse();
    }

    @Test
    void byDefaultHandsOutNoSecretButTheAcrEnvHelperAsWandbDoes() throws Exception {
        Registry r = create(local());

        assertThat(r.type()).isEqualTo("acr");
        assertThat(r.repositoryUri()).isEqualTo(URI);
        assertThat(r.credentials()).isEmpty();
        assertThat(r.credentialHelper()).contains("acr-env");
        String config = DockerConfigs.of(List.of(), Map.of(r.host(), r.credentialHelper().orElseThrow()));
        assertThat(JSON.readTree(config).at("/credHelpers/" + HOST).asText()).isEqualTo("acr-env");
    }

    @Test
    void tokenModeExchangesTheAadTokenForARefreshTokenOfTheNullGuidUser() {
        int before = acr.exchanges().size();
        Registry r = create(local("auth", "token"));

        RegistryCredentials c = r.credentials().orElseThrow();

        assertThat(c.host()).isEqualTo(HOST);
        assertThat(c.username()).isEqualTo("00000000-0000-0000-0000-000000000000");
        assertThat(acr.issued(c.password())).isTrue();
        assertThat(c.expiresAt()).isBetween(Instant.now().plus(Duration.ofHours(2)), Instant.now().plus(
                Duration.ofHours(3)));
        assertThat(acr.exchanges().subList(before, acr.exchanges().size())).singleElement().satisfies(e -> {
            assertThat(e.grantType()).isEqualTo("access_token");
            assertThat(e.service()).isEqualTo(HOST);
            assertThat(e.tenant()).isEqualTo("tenant-1234");
            assertThat(e.accessToken()).isEqualTo(AAD_TOKEN);
        });
        assertThat(context.masker().mask(c.password() + " " + AAD_TOKEN)).isEqualTo("**** ****");
        assertThat(r.credentialHelper()).isEmpty();
    }

    @Test
    void theRefreshTokenIsReusedUntilShortlyBeforeItExpires() {
        Registry r = create(local("auth", "token"));

        String first = r.credentials().orElseThrow().password();
        String second = r.credentials().orElseThrow().password();
        r.imageExists("abc123");

        assertThat(second).isEqualTo(first);
        assertThat(aadCalls.get()).isEqualTo(1);
    }

    @Test
    void theDockerConfigForKanikoAndThePullSecretLogsInToATokenAuthRegistry(@TempDir Path tmp) throws Exception {
        RegistryCredentials c = create(local("auth", "token")).credentials().orElseThrow();
        assertThat(JSON.readTree(DockerConfigs.of(List.of(c))).at("/auths/" + HOST + "/auth").asText())
                .isEqualTo(c.basicAuth());

        // The test registry answers on 127.0.0.1, not on the ACR host: same credentials, local key.
        Path authFile = Files.writeString(tmp.resolve("config.json"), DockerConfigs.of(List.of(
                new RegistryCredentials(registry.host(), c.username(), c.password(), c.expiresAt()))));
        assertThat(Skopeo.inspect(registry.host() + "/launch/job:abc123", authFile).exitCode())
                .as("skopeo pulls with the generated config.json (GET /oauth2/token with Basic null-GUID:refresh)")
                .isZero();
    }

    @Test
    void checksTagsOfThisRepositoryWithTheRefreshTokenGrant() {
        int before = acr.tokenServer().requests().size();
        Registry r = create(local());

        assertThat(r.imageExists("abc123")).isTrue();
        assertThat(r.imageExists("def456")).as("a tag of launch/other, not of launch/job").isFalse();
        assertThat(acr.tokenServer().requests().get(before)).satisfies(t -> {
            assertThat(t.method()).isEqualTo("POST");
            assertThat(t.grantType()).isEqualTo("refresh_token");
            assertThat(t.scopes()).containsExactly("repository:launch/job:pull");
        });
    }

    @Test
    void verifyPassesWithAWorkingIdentity() {
        create(local()).verify();
    }

    @Test
    void verifySaysWhichRoleIsMissingWhenTheRegistryRefusesTheAadToken() {
        Registry r = new AcrRegistryProvider((b, c) -> request -> Mono.just(new AccessToken("an-unknown-aad-token",
                OffsetDateTime.now().plusHours(1)))).create(local(), context);

        assertThatThrownBy(r::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry " + URI + ": registry " + HOST + " refused the agent's Azure token at "
                        + "/oauth2/exchange (HTTP 401 UNAUTHORIZED")
                .hasMessageContaining("AcrPush")
                .hasMessageNotContaining("an-unknown-aad-token");
    }

    @Test
    void verifyNamesTheMissingAzureCredentialsWithTheRealAzureIdentityChain() {
        Registry r = Plugins.load(RegistryProvider.class, "registry").require("acr")
                .create(local("credential", "environment"), LaunchContext.basic(Map.of()));

        assertThatThrownBy(r::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no Azure credentials for registry " + HOST)
                .hasMessageContaining("EnvironmentCredential")
                .hasMessageContaining("AZURE_FEDERATED_TOKEN_FILE");
    }

    @Test
    void aRepositoryWithoutPermissionIsReportedAsDenied() {
        Registry r = create(local("uri", HOST + "/forbidden/job"));

        assertThatThrownBy(r::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry " + HOST + " denied access to repository 'forbidden/job'");
        assertThatThrownBy(() -> r.imageExists("v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("lack permission");
    }

    @Test
    void anUnreachableRegistryIsReportedByName() {
        Registry r = create(local("token-endpoint", "http://127.0.0.1:" + Tools.freePort(), "auth", "token"));

        assertThatThrownBy(r::credentials)
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("/oauth2/exchange: connection refused");
    }

    @Test
    void acceptsOnlyAnAcrUriWithoutTag() {
        assertThatThrownBy(() -> create(local("uri", URI + ":latest")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.uri: '" + URI + ":latest' has a tag (':latest')");
        assertThatThrownBy(() -> create(local("uri", "gcr.io/p/job")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not an Azure Container Registry repository");
        assertThatThrownBy(() -> create(block()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.uri: is required");
        assertThatThrownBy(() -> Plugins.load(RegistryProvider.class, "registry").require("acr")
                .create(local("credential", "browser"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.credential: 'browser' is not one of default, workload-identity, "
                        + "managed-identity, environment, azure-cli");
    }
}
