package dev.launchkit.registry.ecr;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.registry.ecr.fakes.TestAws;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EcrVerifyTest {
    private static final String WHAT = "registry ecr " + TestAws.HOST + "/launch (launch-config.yaml)";

    @RegisterExtension
    final TestAws aws = new TestAws();

    private EcrRegistry registry(String extra, LaunchContext context) {
        return (EcrRegistry) aws.closeLater(new EcrRegistryProvider().create(
                config("registry:\n  uri: " + TestAws.HOST + "/launch\n" + extra).child("registry"), context));
    }

    @Test
    void passesWhenCredentialsRepositoryAndTokenPermissionArePresent() {
        aws.ecr.repository("launch");

        assertThatCode(() -> registry("", aws.context()).verify()).doesNotThrowAnyException();
        assertThat(aws.sts.calls()).containsExactly("GetCallerIdentity");
        assertThat(aws.ecr.calls()).containsExactly("DescribeRepositories", "GetAuthorizationToken");
    }

    @Test
    void credentialHelperModeDoesNotFetchAToken() {
        aws.ecr.repository("launch");

        registry("  auth: ecr-login\n", aws.context()).verify();

        assertThat(aws.ecr.calls()).containsExactly("DescribeRepositories");
    }

    @Test
    void namesMissingCredentials() {
        EcrRegistry r = registry("", aws.context(aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")));

        assertThatThrownBy(r::verify).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(WHAT + ": no AWS credentials found")
                .hasMessageContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        assertThat(aws.sts.calls()).isEmpty();
    }

    @Test
    void namesRejectedCredentials() {
        Map<String, String> env = aws.env();
        env.put("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN0000001");

        assertThatThrownBy(() -> registry("", aws.context(env)).verify()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(WHAT + ": the AWS credentials from environment variables")
                .hasMessageContaining("were rejected by STS (InvalidClientTokenId (HTTP 403)");
    }

    @Test
    void namesTheMissingRepository() {
        assertThatThrownBy(() -> registry("", aws.context()).verify()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(WHAT + ": repository 'launch' does not exist in account 123456789012 "
                        + "region us-east-1; create it");
    }

    @Test
    void namesTheIdentityAndPermissionWhenReadingTheRepositoryIsDenied() {
        aws.ecr.repository("launch");
        aws.identities.deny(TestAws.KEY_ID, "ecr:DescribeRepositories");

        assertThatThrownBy(() -> registry("", aws.context()).verify()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(WHAT + ": " + TestAws.AGENT_ARN + " may not ecr:DescribeRepositories on "
                        + "arn:aws:ecr:us-east-1:123456789012:repository/launch")
                .hasMessageContaining("ecr:PutImage");
    }

    @Test
    void namesTheIdentityAndPermissionWhenTheTokenIsDenied() {
        aws.ecr.repository("launch");
        aws.identities.deny(TestAws.KEY_ID, "ecr:GetAuthorizationToken");

        assertThatThrownBy(() -> registry("", aws.context()).verify()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(WHAT + ": " + TestAws.AGENT_ARN + ": cannot get an ECR login token")
                .hasMessageContaining("grant ecr:GetAuthorizationToken");
    }
}
