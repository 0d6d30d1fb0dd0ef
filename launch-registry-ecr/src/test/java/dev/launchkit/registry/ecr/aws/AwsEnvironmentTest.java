package dev.launchkit.registry.ecr.aws;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.registry.ecr.fakes.TestAws;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AwsEnvironmentTest {
    @RegisterExtension
    final TestAws aws = new TestAws();
    private final AwsEnvironmentProvider provider = new AwsEnvironmentProvider();

    private AwsEnvironment create(ConfigNode block, LaunchContext context) {
        return (AwsEnvironment) aws.closeLater(provider.create(block, context));
    }

    private static ConfigNode block(String yaml) {
        return config("environment:\n  type: aws\n" + yaml).child("environment");
    }

    @Test
    void takesTheRegionFromTheConfig() {
        Map<String, String> env = aws.env();
        env.put("AWS_REGION", "eu-west-1");

        assertThat(create(block("  region: us-west-2\n"), aws.context(env)).region()).contains("us-west-2");
    }

    @Test
    void fallsBackToAwsRegionThenAwsDefaultRegion() {
        Map<String, String> env = aws.env();
        env.put("AWS_DEFAULT_REGION", "ap-southeast-2");
        assertThat(create(block(""), aws.context(env)).region()).contains("ap-southeast-2");

        env.put("AWS_REGION", "eu-central-1");
        assertThat(create(block(""), aws.context(env)).region()).contains("eu-central-1");
    }

    @Test
    void requiresARegionNamingTheKeyAndTheVariable() {
        assertThatThrownBy(() -> create(block(""), aws.context())).isInstanceOf(ConfigException.class)
                .hasMessage("launch-config.yaml: environment.region: is required for environment type aws: set "
                        + "environment.region (e.g. us-east-1), or AWS_REGION in the agent's environment");
    }

    @Test
    void refusesSomethingThatIsNotARegion() {
        assertThatThrownBy(() -> create(block("  region: US East\n"), aws.context()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment.region: 'US East' is not an AWS region id like us-east-1");
    }

    @Test
    void builderEnvGivesTheRegionAndNoSecret() {
        Environment e = create(block("  region: us-east-1\n"), aws.context());

        assertThat(e.builderEnv()).isEqualTo(Map.of("AWS_REGION", "us-east-1"));
    }

    @Test
    void builderEnvPointsKanikoAtAnOverriddenS3Endpoint() {
        Environment e = create(block("  region: us-east-1\n  endpoints:\n    s3: http://minio.storage:9000\n"),
                aws.context());

        assertThat(e.builderEnv()).isEqualTo(Map.of("AWS_REGION", "us-east-1",
                "S3_ENDPOINT", "http://minio.storage:9000", "S3_FORCE_PATH_STYLE", "true"));
    }

    @Test
    void declaresTheSecretKeysAndMasksStaticKeysFromConfigAndEnvironment() {
        Map<String, String> env = aws.env();
        env.put("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEFAKESESSION");
        create(block("  region: us-east-1\n  access_key_id: AKIDCONFIG000001\n  secret_access_key: cfg-secret-9Hq\n"
                + "  session_token: cfg-session-token-77\n"), aws.context(env));

        assertThat(provider.secretKeys()).containsExactlyInAnyOrder("secret_access_key", "session_token");
        assertThat(aws.masker.mask("cfg-secret-9Hq cfg-session-token-77 " + TestAws.SECRET
                + " FwoGZXIvYXdzEFAKESESSION")).isEqualTo("**** **** **** ****");
    }

    @Test
    void refusesAnAccessKeyIdWithoutItsSecret() {
        assertThatThrownBy(() -> create(block("  region: us-east-1\n  access_key_id: AKIDCONFIG000001\n"),
                aws.context())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment.secret_access_key: is required when access_key_id is set");
    }

    @Test
    void verifyAsksStsWhoTheAgentIs() {
        AwsEnvironment e = create(block("  region: us-east-1\n"), aws.context());

        assertThatCode(e::verify).doesNotThrowAnyException();
        AwsIdentity id = e.identity();
        assertThat(id.account()).isEqualTo(TestAws.ACCOUNT);
        assertThat(id.arn()).isEqualTo(TestAws.AGENT_ARN);
        assertThat(id.partition()).isEqualTo("aws");
        assertThat(aws.sts.calls()).containsExactly("GetCallerIdentity", "GetCallerIdentity");
    }

    @Test
    void verifyNamesMissingCredentials() {
        AwsEnvironment e = create(block("  region: us-east-1\n"),
                aws.context(aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")));

        assertThatThrownBy(e::verify).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("environment aws (launch-config.yaml): no AWS credentials found")
                .hasMessageContaining("no web identity token").hasMessageContaining("IRSA")
                .hasMessageContaining("configure a profile");
        assertThat(aws.sts.calls()).isEmpty();
    }

    @Test
    void verifyNamesRejectedCredentialsAndTheirSource() {
        aws.identities.expire(TestAws.KEY_ID);
        AwsEnvironment e = create(block("  region: us-east-1\n"), aws.context());

        assertThatThrownBy(e::verify).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the AWS credentials from environment variables AWS_ACCESS_KEY_ID/"
                        + "AWS_SECRET_ACCESS_KEY were rejected by STS (ExpiredToken (HTTP 400)")
                .hasMessageNotContaining(TestAws.SECRET);
    }

    @Test
    void servesOnlyS3Stores() {
        Environment e = create(block("  region: us-east-1\n"), aws.context());

        assertThat(e.objectStore("s3://launch-bucket/contexts").baseUri()).hasToString("s3://launch-bucket/contexts");
        assertThatThrownBy(() -> e.objectStore("gs://launch-bucket/contexts")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'gs://launch-bucket/contexts' is not an S3 URI")
                .hasMessageContaining("configure the gcp or azure environment");
    }

    @Test
    void endpointVariablesOfTheAgentEnvironmentAreHonouredAndChecked() {
        Map<String, String> env = aws.env();
        env.put("AWS_ENDPOINT_URL", "ftp://nowhere");

        assertThatThrownBy(() -> create(block("  region: us-east-1\n"), aws.context(env)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment variable AWS_ENDPOINT_URL: 'ftp://nowhere' is not an endpoint URL");
    }
}
