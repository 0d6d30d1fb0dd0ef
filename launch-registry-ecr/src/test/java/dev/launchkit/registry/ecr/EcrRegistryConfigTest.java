package dev.launchkit.registry.ecr;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Registry;
import dev.launchkit.registry.ecr.fakes.TestAws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EcrRegistryConfigTest {
    @RegisterExtension
    final TestAws aws = new TestAws();
    private final EcrRegistryProvider provider = new EcrRegistryProvider();

    private EcrRegistry create(ConfigNode block) {
        return (EcrRegistry) aws.closeLater(provider.create(block, aws.context()));
    }

    @Test
    void acceptsRegistryUri() {
        EcrRegistry r = create(config("registry:\n  type: ecr\n  uri: " + TestAws.HOST + "/launch\n").child("registry"));

        assertThat(r.type()).isEqualTo("ecr");
        assertThat(r.repositoryUri()).isEqualTo(TestAws.HOST + "/launch");
        assertThat(r.host()).isEqualTo(TestAws.HOST);
        assertThat(r.repository()).isEqualTo(new EcrRepository("123456789012", "us-east-1", "launch", TestAws.HOST));
        assertThat(r.image("abc123").toString()).isEqualTo(TestAws.HOST + "/launch:abc123");
    }

    @Test
    void acceptsBuilderDestinationWithNestedRepositoryAndHttpsPrefix() {
        // The agent merges builder.destination into the registry block as `uri` (see AgentAssembly).
        EcrRegistry r = create(config("uri: https://" + TestAws.HOST + "/team.ml/launch-images_v2\n"));

        assertThat(r.repository().name()).isEqualTo("team.ml/launch-images_v2");
        assertThat(r.repositoryUri()).isEqualTo(TestAws.HOST + "/team.ml/launch-images_v2");
    }

    @Test
    void acceptsSplitKeysWithRepository() {
        EcrRegistry r = create(config("registry:\n  type: ecr\n  account_id: '123456789012'\n  region: eu-west-1\n"
                + "  repository: launch\n").child("registry"));

        assertThat(r.repositoryUri()).isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/launch");
    }

    @Test
    void acceptsRepoNameAsAliasOfRepository() {
        EcrRegistry r = create(config("registry:\n  type: ecr\n  account_id: '123456789012'\n  region: us-east-1\n"
                + "  repo_name: team/launch\n").child("registry"));

        assertThat(r.repositoryUri()).isEqualTo(TestAws.HOST + "/team/launch");
    }

    @Test
    void splitKeysInChinaUseTheChinaHost() {
        EcrRegistry r = create(config("account_id: '123456789012'\nregion: cn-north-1\nrepository: launch\n"));

        assertThat(r.host()).isEqualTo("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
        assertThat(r.repository().arn()).isEqualTo("arn:aws-cn:ecr:cn-north-1:123456789012:repository/launch");
    }

    @Test
    void refusesTagInUriWithTheReason() {
        ConfigNode block = config("registry:\n  type: ecr\n  uri: " + TestAws.HOST + "/launch:v1\n").child("registry");

        assertThatThrownBy(() -> create(block)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("launch-config.yaml: registry.uri:")
                .hasMessageContaining("has a tag ('v1')")
                .hasMessageContaining(TestAws.HOST + "/launch)")
                .hasMessageContaining("the agent tags each image with a hash of its source");
    }

    @Test
    void refusesDigestInUri() {
        assertThatThrownBy(() -> create(config("uri: " + TestAws.HOST + "/launch@sha256:" + "b".repeat(64))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("has a digest");
    }

    @Test
    void refusesUriWithoutRepository() {
        assertThatThrownBy(() -> create(config("uri: " + TestAws.HOST)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("names no repository");
    }

    @Test
    void refusesNonEcrHost() {
        assertThatThrownBy(() -> create(config("uri: ghcr.io/org/launch")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("uri: 'ghcr.io/org/launch' is not an ECR repository")
                .hasMessageContaining("<account>.dkr.ecr.<region>.amazonaws.com/<repository>");
    }

    @Test
    void refusesUpperCaseRepositoryName() {
        assertThatThrownBy(() -> create(config("uri: " + TestAws.HOST + "/Launch")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not an ECR repository name");
    }

    @Test
    void namesTheMissingSplitKeys() {
        ConfigNode block = config("registry:\n  type: ecr\n  account_id: '123456789012'\n").child("registry");

        assertThatThrownBy(() -> create(block)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry: an ecr registry needs either uri")
                .hasMessageContaining("missing: region, repository");
    }

    @Test
    void refusesAccountIdThatIsNotTwelveDigits() {
        ConfigNode block = config("registry:\n  account_id: 12345\n  region: us-east-1\n  repository: x1\n")
                .child("registry");

        assertThatThrownBy(() -> create(block)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.account_id: '12345' is not an AWS account id");
    }

    @Test
    void refusesSplitKeysThatContradictTheUri() {
        ConfigNode block = config("registry:\n  uri: " + TestAws.HOST + "/launch\n  region: eu-west-1\n")
                .child("registry");

        assertThatThrownBy(() -> create(block)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.region: 'eu-west-1' conflicts with uri, which says 'us-east-1'");
    }

    @Test
    void refusesRepositoryAndRepoNameThatDiffer() {
        ConfigNode block = config("registry:\n  account_id: '123456789012'\n  region: us-east-1\n"
                + "  repository: a1\n  repo_name: b1\n").child("registry");

        assertThatThrownBy(() -> create(block)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.repo_name: 'b1' differs from repository 'a1'");
    }

    @Test
    void refusesUnknownAuthMode() {
        assertThatThrownBy(() -> create(config("uri: " + TestAws.HOST + "/launch\nauth: basic\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth: 'basic' is not one of token, ecr-login");
    }

    @Test
    void refusesEndpointThatIsNotAUrl() {
        assertThatThrownBy(() -> create(config("uri: " + TestAws.HOST + "/launch\nendpoints:\n  ecr: not a url\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("endpoints.ecr: 'not a url' is not an endpoint URL");
    }

    @Test
    void handlesOnlyEcrHosts() {
        assertThat(provider.handles(TestAws.HOST + "/launch")).isTrue();
        assertThat(provider.handles("https://" + TestAws.HOST + "/launch:tag")).isTrue();
        assertThat(provider.handles("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/x")).isTrue();
        assertThat(provider.handles("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x")).isTrue();
        assertThat(provider.handles("us-central1-docker.pkg.dev/p/r/i")).isFalse();
        assertThat(provider.handles("myreg.azurecr.io/launch")).isFalse();
        assertThat(provider.handles("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/x")).isFalse();
    }

    @Test
    void declaresSecretKeys() {
        Registry r = create(config("uri: " + TestAws.HOST + "/launch\n"));

        assertThat(r).isNotNull();
        assertThat(provider.secretKeys()).containsExactlyInAnyOrder("secret_access_key", "session_token");
    }
}
