package dev.launchkit.registry.ecr;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.Environment;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.Stage;
import dev.launchkit.registry.ecr.aws.AwsEnvironmentProvider;
import dev.launchkit.registry.ecr.fakes.TestAws;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EcrCredentialsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = "arn:aws:iam::" + TestAws.ACCOUNT + ":role/launch-agent";
    private static final String IRSA_TOKEN = "eyJhbGciOiJSUzI1NiJ9.fake-projected-sa-token.sig";

    @RegisterExtension
    final TestAws aws = new TestAws();

    private EcrRegistry registry(String extraYaml, LaunchContext context) {
        return (EcrRegistry) aws.closeLater(new EcrRegistryProvider().create(
                config("registry:\n  type: ecr\n  uri: " + TestAws.HOST + "/launch\n" + extraYaml).child("registry"),
                context));
    }

    private EcrRegistry registry() {
        return registry("", aws.context());
    }

    @Test
    void decodesTheAuthorizationTokenIntoUserAwsAndPassword() {
        RegistryCredentials c = registry().credentials().orElseThrow();

        assertThat(c.host()).isEqualTo(TestAws.HOST);
        assertThat(c.username()).isEqualTo("AWS");
        assertThat(c.password()).isEqualTo(aws.ecr.lastPassword());
        assertThat(c.expiresAt()).isEqualTo(aws.clock.instant().plus(Duration.ofHours(12)));
        assertThat(c.toString()).doesNotContain(c.password());
        assertThat(aws.ecr.calls()).containsExactly("GetAuthorizationToken");
    }

    @Test
    void dockerConfigForKanikoCarriesTheEcrTokenAsAuthForTheRegistryHost() throws Exception {
        EcrRegistry r = registry();

        JsonNode config = JSON.readTree(r.dockerConfigJson());

        String ecrToken = Base64.getEncoder().encodeToString(("AWS:" + aws.ecr.lastPassword())
                .getBytes(StandardCharsets.UTF_8));
        assertThat(config.path("auths").size()).isEqualTo(1);
        assertThat(config.path("auths").path(TestAws.HOST).path("auth").asText()).isEqualTo(ecrToken);
        assertThat(config.path("auths").path(TestAws.HOST).path("username").asText()).isEqualTo("AWS");
        assertThat(config.has("credHelpers")).isFalse();
        assertThat(r.dockerConfigJson()).isEqualTo(DockerConfigs.of(List.of(r.credentials().orElseThrow())));
    }

    @Test
    void pullSecretContentIsADockerConfigJsonForTheRegistryHost() throws Exception {
        RegistryCredentials c = registry().credentials().orElseThrow();

        String dockerConfigJson = c.toDockerConfigJson(); // the .dockerconfigjson of the run's regcred Secret

        String pw = aws.ecr.lastPassword();
        String auth = Base64.getEncoder().encodeToString(("AWS:" + pw).getBytes(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(dockerConfigJson)).isEqualTo(JSON.readTree("{\"auths\":{\"" + TestAws.HOST
                + "\":{\"username\":\"AWS\",\"password\":\"" + pw + "\",\"auth\":\"" + auth + "\"}}}"));
    }

    @Test
    void registersTokenAndPasswordWithTheSecretMasker() {
        RegistryCredentials c = registry().credentials().orElseThrow();

        String leaked = "pushing with " + c.password() + " auth=" + c.basicAuth() + " key=" + TestAws.SECRET;

        assertThat(aws.masker.mask(leaked)).isEqualTo("pushing with **** auth=**** key=****");
    }

    @Test
    void cachesTheTokenUntilAnHourBeforeItExpires() {
        EcrRegistry r = registry();
        String first = r.credentials().orElseThrow().password();

        aws.clock.advance(Duration.ofHours(10).plusMinutes(59));
        assertThat(r.credentials().orElseThrow().password()).isEqualTo(first);
        assertThat(aws.ecr.tokensIssued()).isEqualTo(1);

        aws.clock.advance(Duration.ofMinutes(2)); // 59 minutes left: too little for a build
        RegistryCredentials refreshed = r.credentials().orElseThrow();

        assertThat(aws.ecr.tokensIssued()).isEqualTo(2);
        assertThat(refreshed.password()).isNotEqualTo(first).isEqualTo(aws.ecr.lastPassword());
        assertThat(refreshed.expiresAt()).isEqualTo(aws.clock.instant().plus(Duration.ofHours(12)));
    }

    @Test
    void fetchesANewTokenEveryTimeWhenTokensLiveShorterThanTheMargin() {
        aws.ecr.tokenLifetime(Duration.ofMinutes(30));
        EcrRegistry r = registry();

        r.credentials();
        r.credentials();

        assertThat(aws.ecr.tokensIssued()).isEqualTo(2);
    }

    @Test
    void credentialHelperModeHandsOutNoSecret() throws Exception {
        EcrRegistry r = registry("  auth: ecr-login\n", aws.context());

        assertThat(r.authMode()).isEqualTo(EcrAuthMode.CREDENTIAL_HELPER);
        assertThat(r.credentials()).isEmpty();
        assertThat(r.credentialHelper()).contains("ecr-login");
        assertThat(JSON.readTree(r.dockerConfigJson())).isEqualTo(JSON.readTree(
                "{\"auths\":{},\"credHelpers\":{\"" + TestAws.HOST + "\":\"ecr-login\"}}"));
        assertThat(aws.ecr.tokensIssued()).isZero();
    }

    @Test
    void irsaInTheAgentEnvironmentSelectsTheCredentialHelperAndSignsWithWebIdentityCredentials() throws Exception {
        aws.ecr.repository("launch", "v1");
        LaunchContext irsa = aws.context(irsaEnv());

        EcrRegistry r = registry("", irsa);

        assertThat(r.authMode()).isEqualTo(EcrAuthMode.CREDENTIAL_HELPER);
        assertThat(r.credentials()).isEmpty();
        assertThat(r.credentialHelper()).contains("ecr-login");
        assertThat(r.imageExists("v1")).isTrue();
        assertThat(aws.sts.calls()).containsExactly("AssumeRoleWithWebIdentity");
        assertThat(aws.identities.seenKeys()).isNotEmpty().allMatch(k -> k.startsWith("ASIAFAKESESSION"));
        assertThat(aws.masker.mask("token " + IRSA_TOKEN)).isEqualTo("token ****");
    }

    @Test
    void tokenModeCanBeForcedUnderIrsa() throws Exception {
        EcrRegistry r = registry("  auth: token\n", aws.context(irsaEnv()));

        RegistryCredentials c = r.credentials().orElseThrow();

        assertThat(c.password()).isEqualTo(aws.ecr.lastPassword());
        assertThat(r.credentialHelper()).isEmpty();
        assertThat(aws.identities.seenKeys()).allMatch(k -> k.startsWith("ASIAFAKESESSION"));
    }

    @Test
    void explainsWhereCredentialsWereLookedForWhenThereAreNone() {
        EcrRegistry r = registry("", aws.context(aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")));

        assertThatThrownBy(r::credentials).isInstanceOfSatisfying(LaunchException.class,
                        e -> assertThat(e.stage()).isEqualTo(Stage.BUILD))
                .hasMessageContaining("registry ecr " + TestAws.HOST + "/launch: no AWS credentials found")
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageContaining("IRSA");
        assertThat(aws.ecr.calls()).isEmpty();
    }

    @Test
    void readsStaticKeysFromAProfileFileInHome() throws Exception {
        Files.createDirectories(aws.home.resolve(".aws"));
        Files.writeString(aws.home.resolve(".aws/credentials"), "[launch]\naws_access_key_id = " + TestAws.KEY_ID
                + "\naws_secret_access_key = " + TestAws.SECRET + "\n");
        Map<String, String> env = aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        env.put("AWS_PROFILE", "launch");

        RegistryCredentials c = registry("", aws.context(env)).credentials().orElseThrow();

        assertThat(c.password()).isEqualTo(aws.ecr.lastPassword());
        assertThat(aws.identities.seenKeys()).containsOnly(TestAws.KEY_ID);
    }

    @Test
    void sharesTheCredentialsOfTheAwsEnvironment() {
        LaunchContext noEnvKeys = aws.context(aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"));
        Environment environment = aws.closeLater(new AwsEnvironmentProvider().create(config(
                "region: us-east-1\naccess_key_id: " + TestAws.KEY_ID + "\nsecret_access_key: " + TestAws.SECRET
                        + "\n"), noEnvKeys));

        EcrRegistry r = registry("", noEnvKeys.withEnvironment(environment));

        assertThat(r.credentials()).isPresent();
        assertThat(aws.identities.seenKeys()).containsOnly(TestAws.KEY_ID);
    }

    private Map<String, String> irsaEnv() throws Exception {
        Path token = Files.writeString(aws.home.resolve("token"), IRSA_TOKEN + "\n");
        aws.sts.trustWebIdentity(ROLE, IRSA_TOKEN);
        Map<String, String> env = aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        env.put("AWS_ROLE_ARN", ROLE);
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
        return env;
    }
}
