package dev.launchkit.registry.gcr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.Environment;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.registry.testing.LocalRegistry;
import dev.launchkit.core.registry.testing.Skopeo;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import dev.launchkit.registry.gcr.testing.FakeArtifactRegistryApi;
import dev.launchkit.registry.gcr.testing.FakeGoogleOAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gcr registry end to end over HTTP: a service-account key whose token_uri is a fake Google OAuth endpoint,
 * Debian's docker-registry with token authentication whose token service accepts {@code oauth2accesstoken} + an
 * access token that endpoint issued (as Artifact Registry's does), and an Artifact Registry REST API fake.
 */
class GcrRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "us-central1-docker.pkg.dev";
    private static final String URI = HOST + "/launch-project/launch/job";
    private static FakeGoogleOAuth oauth;
    private static FakeArtifactRegistryApi api;
    private static TokenAuthServer tokens;
    private static LocalRegistry registry;
    private static Path keyFile;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        oauth = new FakeGoogleOAuth();
        api = new FakeArtifactRegistryApi(oauth);
        api.repository("projects/launch-project/locations/us-central1/repositories/launch", "DOCKER");
        api.repository("projects/launch-project/locations/us-central1/repositories/wheels", "PYTHON");
        api.forbid("projects/launch-project/locations/us-central1/repositories/private");
        keyFile = oauth.writeServiceAccountKey(dir);
        tokens = TokenAuthServer.start(HOST, "/v2/token", new TokenAuthServer.Policy() {
            @Override
            public boolean authenticates(String username, String secret) {
                return username.equals("oauth2accesstoken") && oauth.issued(secret)
                        || username.equals("seed") && secret.equals("seed-password");
            }

            @Override
            public Set<String> allowedActions(String username, String repository) {
                return repository.startsWith("launch-project/private/") ? Set.of() : Set.of("pull", "push");
            }
        });
        registry = LocalRegistry.withTokenAuth(tokens);
        Skopeo.push(registry.host() + "/launch-project/launch/job:abc123", Optional.of("seed:seed-password"));
        Skopeo.push(registry.host() + "/launch-project/launch/other:def456", Optional.of("seed:seed-password"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {registry, tokens, api, oauth}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    private static ConfigNode block(Map<String, String> values) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode block = root.putObject("registry");
        block.put("type", "gcr");
        values.forEach(block::put);
        return ConfigNode.of(root, "launch-config.yaml").child("registry");
    }

    /** The block a test registry needs: its endpoints and the key file, plus the given keys. */
    private static ConfigNode local(String... keyValues) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("endpoint", registry.endpoint().toString());
        values.put("artifact-registry-endpoint", api.baseUri().toString());
        values.put("credentials-file", keyFile.toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return block(values);
    }

    private static RegistryProvider provider() {
        return Plugins.load(RegistryProvider.class, "registry").require("gcr");
    }

    private final LaunchContext context = LaunchContext.basic(Map.of());

    @Test
    void isDiscoveredAndClaimsArtifactRegistryAndGcrHosts() {
        RegistryProvider p = provider();

        assertThat(p).isInstanceOf(GcrRegistryProvider.class);
        assertThat(p.handles(URI)).isTrue();
        assertThat(p.handles("gcr.io/launch-project/job")).isTrue();
        assertThat(p.handles("eu.gcr.io/launch-project/job")).isTrue();
        assertThat(p.handles("myreg.azurecr.io/job")).isFalse();
        assertThat(p.handles("harbor.example.com/team/job")).isFalse();
    }

    @Test
    void credentialsAreOauth2AccessTokenAndAFreshAccessTokenFromTheServiceAccount() {
        Registry r = provider().create(local("uri", URI), context);

        RegistryCredentials c = r.credentials().orElseThrow();

        assertThat(r.type()).isEqualTo("gcr");
        assertThat(r.repositoryUri()).isEqualTo(URI);
        assertThat(c.host()).isEqualTo(HOST);
        assertThat(c.username()).isEqualTo("oauth2accesstoken");
        assertThat(oauth.issued(c.password())).as("the password is an access token the token endpoint issued").isTrue();
        assertThat(c.expiresAt()).isBetween(Instant.now().plus(Duration.ofMinutes(50)),
                Instant.now().plus(Duration.ofMinutes(61)));
        assertThat(context.masker().mask("token " + c.password())).isEqualTo("token ****");
        assertThat(r.credentialHelper()).isEmpty();
    }

    @Test
    void theDockerConfigForKanikoAndThePullSecretLogsInToATokenAuthRegistry(@TempDir Path tmp) throws Exception {
        RegistryCredentials c = provider().create(local("uri", URI), context).credentials().orElseThrow();

        String config = DockerConfigs.of(List.of(c));
        assertThat(JSON.readTree(config).at("/auths/" + HOST + "/auth").asText())
                .isEqualTo(c.basicAuth());

        // The test registry answers on 127.0.0.1, not on the Artifact Registry host: same credentials, local key.
        Path authFile = Files.writeString(tmp.resolve("config.json"), DockerConfigs.of(List.of(
                new RegistryCredentials(registry.host(), c.username(), c.password(), c.expiresAt()))));
        assertThat(Skopeo.inspect(registry.host() + "/launch-project/launch/job:abc123", authFile).exitCode())
                .as("skopeo pulls the manifest with the generated config.json")
                .isZero();
    }

    @Test
    void checksTheTagOfThisImageOnlyNotOfOtherImagesInTheRepository() {
        Registry r = provider().create(local("uri", URI), context);

        assertThat(r.imageExists("abc123")).isTrue();
        assertThat(r.imageExists("nope")).isFalse();
        assertThat(r.imageExists("def456"))
                .as("def456 exists for launch/other, not for launch/job (W&B's check would say true)")
                .isFalse();
    }

    @Test
    void workloadIdentityModeHandsOutNoSecretButTheGcrHelper() throws Exception {
        Registry r = provider().create(local("uri", URI, "auth", "workload-identity"), context);

        assertThat(r.credentials()).isEmpty();
        assertThat(r.credentialHelper()).contains("gcr");
        String config = DockerConfigs.of(List.of(), Map.of(r.host(), r.credentialHelper().orElseThrow()));
        assertThat(JSON.readTree(config).at("/credHelpers/" + HOST).asText()).isEqualTo("gcr");
        assertThat(r.imageExists("abc123")).as("the agent still checks with its own identity").isTrue();
    }

    @Test
    void buildsTheUriFromSplitKeysWithRegionFromTheEnvironmentAndProjectFromTheCredentials() {
        Environment gcp = Plugins.load(EnvironmentProvider.class, "environment").require("gcp")
                .create(ConfigNode.of(JSON.createObjectNode().put("region", "us-central1"), "launch-config.yaml"),
                        context);

        Registry r = provider().create(local("repository", "launch", "image-name", "job"),
                context.withEnvironment(gcp));

        assertThat(r.repositoryUri()).isEqualTo(URI);
        assertThat(r.imageExists("abc123")).isTrue();
    }

    @Test
    void splitKeysNameWhatIsMissing() {
        assertThatThrownBy(() -> provider().create(local("region", "us-central1", "image-name", "job"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.repository: is required");
        assertThatThrownBy(() -> provider().create(local("repository", "launch", "image-name", "job"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.region: is required");
        assertThatThrownBy(() -> provider().create(block(Map.of()), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs either uri");
    }

    @Test
    void refusesATagAndUrisOfOtherRegistries() {
        assertThatThrownBy(() -> provider().create(local("uri", URI + ":v1"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.uri: '" + URI + ":v1' has a tag (':v1')");
        assertThatThrownBy(() -> provider().create(local("uri", "myreg.azurecr.io/job"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not an Artifact Registry or gcr.io repository");
        assertThatThrownBy(() -> provider().create(local("uri", HOST + "/launch-project/launch"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs a project, a repository and an image name");
        assertThatThrownBy(() -> provider().create(local("uri", URI, "auth", "irsa"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.auth: 'irsa' is not one of token, workload-identity");
    }

    @Test
    void verifyPassesForAnExistingDockerRepository() {
        provider().create(local("uri", URI), context).verify();
    }

    @Test
    void verifyNamesAMissingRepositoryAndHowToCreateIt() {
        assertThatThrownBy(() -> provider().create(local("uri", HOST + "/launch-project/nope/job"), context).verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Artifact Registry repository projects/launch-project/locations/us-central1/"
                        + "repositories/nope does not exist")
                .hasMessageContaining("gcloud artifacts repositories create nope --repository-format=docker");
    }

    @Test
    void verifyTellsMissingPermissionAndTheWrongFormat() {
        assertThatThrownBy(() -> provider().create(local("uri", HOST + "/launch-project/private/job"), context)
                .verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("permission denied on projects/launch-project/locations/us-central1/"
                        + "repositories/private (HTTP 403")
                .hasMessageContaining("roles/artifactregistry.writer");
        assertThatThrownBy(() -> provider().create(local("uri", HOST + "/launch-project/wheels/job"), context)
                .verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("holds PYTHON packages, not Docker images");
    }

    @Test
    void verifyNamesTheCredentialsWhenThereAreNone() {
        Registry r = provider().create(block(Map.of("uri", URI, "endpoint", registry.endpoint().toString())),
                context.withEnv(Map.of("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/sa.json")));

        assertThatThrownBy(r::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry " + URI + ": no Google credentials: "
                        + "GOOGLE_APPLICATION_CREDENTIALS=/nonexistent/sa.json names a file that does not exist");
        assertThatThrownBy(() -> r.imageExists("abc123"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("no Google credentials");
    }

    @Test
    void aRevokedKeyFailsTheExistenceCheckWithTheTokenEndpointsAnswer() {
        Registry r = provider().create(local("uri", URI), context);
        oauth.refuse(true);
        try {
            assertThatThrownBy(() -> r.imageExists("abc123"))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageContaining("could not get a Google access token from the key file")
                    .hasMessageContaining("invalid_grant");
        } finally {
            oauth.refuse(false);
        }
    }

    @Test
    void theRegistryRefusingTheTokenIsReportedWithTheRegistryName() {
        Registry r = provider().create(local("uri", HOST + "/launch-project/private/job"), context);

        assertThatThrownBy(() -> r.imageExists("v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("registry " + HOST + " denied access to repository 'launch-project/private/job'");
    }
}
