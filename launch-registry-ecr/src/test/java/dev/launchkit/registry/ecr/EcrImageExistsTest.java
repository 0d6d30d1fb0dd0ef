package dev.launchkit.registry.ecr;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import dev.launchkit.registry.ecr.fakes.TestAws;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EcrImageExistsTest {
    @RegisterExtension
    final TestAws aws = new TestAws();

    private EcrRegistry registry(String repository, LaunchContext context) {
        return (EcrRegistry) aws.closeLater(new EcrRegistryProvider().create(
                config("uri: " + TestAws.HOST + "/" + repository + "\n"), context));
    }

    @Test
    void existingTagExists() {
        aws.ecr.repository("team/launch", "3f2a9c", "latest");

        assertThat(registry("team/launch", aws.context()).imageExists("3f2a9c")).isTrue();
        assertThat(aws.ecr.calls()).containsExactly("DescribeImages");
    }

    @Test
    void missingTagDoesNotExist() {
        aws.ecr.repository("team/launch", "3f2a9c");

        assertThat(registry("team/launch", aws.context()).imageExists("0000000")).isFalse();
    }

    @Test
    void missingRepositoryIsAnErrorThatSaysHowToCreateIt() {
        EcrRegistry r = registry("missing", aws.context());

        assertThatThrownBy(() -> r.imageExists("v1"))
                .isInstanceOfSatisfying(LaunchException.class, e -> assertThat(e.stage()).isEqualTo(Stage.BUILD))
                .hasMessageContaining("cannot check whether " + TestAws.HOST + "/missing:v1 exists")
                .hasMessageContaining("repository 'missing' does not exist in account 123456789012 region us-east-1")
                .hasMessageContaining("aws ecr create-repository --repository-name missing --region us-east-1");
    }

    @Test
    void deniedDescribeImagesNamesThePermission() {
        aws.ecr.repository("launch", "v1");
        aws.identities.deny(TestAws.KEY_ID, "ecr:DescribeImages");

        assertThatThrownBy(() -> registry("launch", aws.context()).imageExists("v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("access denied (AccessDeniedException (HTTP 400)")
                .hasMessageContaining("grant ecr:DescribeImages on arn:aws:ecr:us-east-1:123456789012:repository/launch");
    }

    @Test
    void unknownAccessKeyIsReportedAsRejectedCredentialsWithoutTheSecret() {
        Map<String, String> env = aws.env();
        env.put("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN0000001");

        assertThatThrownBy(() -> registry("launch", aws.context(env)).imageExists("v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("the AWS credentials from environment variables AWS_ACCESS_KEY_ID/"
                        + "AWS_SECRET_ACCESS_KEY were rejected (UnrecognizedClientException")
                .hasMessageNotContaining(TestAws.SECRET);
    }

    @Test
    void expiredSessionIsReportedAsRejectedCredentials() {
        aws.identities.expire(TestAws.KEY_ID);

        assertThatThrownBy(() -> registry("launch", aws.context()).imageExists("v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("were rejected (ExpiredTokenException");
    }

    @Test
    void unreachableEndpointIsNamed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> env = aws.env();
        env.put("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:" + closedPort);

        assertThatThrownBy(() -> registry("launch", aws.context(env)).imageExists("v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("cannot reach ECR at http://127.0.0.1:" + closedPort);
    }

    @Test
    void refusesSomethingThatIsNotATag() {
        assertThatThrownBy(() -> registry("launch", aws.context()).imageExists("a b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b' is not an image tag");
    }
}
