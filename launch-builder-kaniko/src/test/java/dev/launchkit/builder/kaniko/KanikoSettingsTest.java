package dev.launchkit.builder.kaniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KanikoSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static ConfigNode block(String json) throws Exception {
        return ConfigNode.of(JSON.readTree(json), "launch-config.yaml").child("builder");
    }

    private KanikoSettings settings(String json, Map<String, String> env) throws Exception {
        return KanikoSettings.from(block(json), LaunchContext.basic(env), tmp.resolve("missing-namespace-file"));
    }

    @Test
    void readsTheWandbBuilderBlockAndTheChartsEnvironmentVariables() throws Exception {
        Path nsFile = Files.writeString(tmp.resolve("namespace"), "launch-agents\n");
        KanikoSettings s = KanikoSettings.from(block("""
                {"builder": {"type": "kaniko", "destination": "123.dkr.ecr.us-east-1.amazonaws.com/launch",
                  "build-context-store": "s3://bucket/ctx", "build-job-name": "my-build",
                  "secret-name": "aws-secret", "secret-key": "credentials",
                  "kaniko-image": "registry.local/kaniko:v1.23.2",
                  "kaniko-config": {"spec": {"template": {"spec": {"containers": [{"args": ["--cache=false"]}]}}}}}}
                """), LaunchContext.basic(Map.of("WANDB_LAUNCH_SERVICE_ACCOUNT_NAME", "launch-sa",
                "WANDB_LAUNCH_KANIKO_AUTH_SECRET", "regcred", "WANDB_RELEASE_NAME", "my-release",
                "HOME", tmp.toString())), nsFile);

        assertThat(s.buildJobName()).isEqualTo("my-build");
        assertThat(s.buildContextStore()).isEqualTo("s3://bucket/ctx");
        assertThat(s.secretName()).isEqualTo("aws-secret");
        assertThat(s.secretKey()).isEqualTo("credentials");
        assertThat(s.kanikoImage()).isEqualTo("registry.local/kaniko:v1.23.2");
        assertThat(s.kanikoConfig().at("/spec/template/spec/containers/0/args/0").asText()).isEqualTo("--cache=false");
        assertThat(s.namespace()).isEqualTo("launch-agents");
        assertThat(s.serviceAccount()).isEqualTo("launch-sa");
        assertThat(s.authSecret()).isEqualTo("regcred");
        assertThat(s.owner()).isEqualTo("my-release");
        assertThat(s.pvcMode()).isFalse();
        assertThat(s.git().credentialFiles()).containsExactly(tmp.resolve(".git-credentials"));
    }

    @Test
    void defaultsFollowWandbExceptTheNamespaceWhichIsNeverHardCoded() throws Exception {
        KanikoSettings s = settings("{\"builder\": {\"build-context-store\": \"gs://b/p\"}}", Map.of());

        assertThat(s.buildJobName()).isEqualTo("wandb-launch-container-build");
        assertThat(s.kanikoImage()).isEqualTo("gcr.io/kaniko-project/executor:v1.23.2");
        assertThat(s.serviceAccount()).isEqualTo("default");
        assertThat(s.namespace()).isEqualTo("default");
        assertThat(s.activeDeadlineSeconds()).isEqualTo(1800);
        assertThat(s.pythonVersion()).isEqualTo("3.11");
        assertThat(s.owner()).isEqualTo("launch-agent");
        assertThat(s.azureStorageSecret()).isEqualTo("azure-storage-access-key");
    }

    @Test
    void pvcModeNeedsNoContextStore() throws Exception {
        KanikoSettings s = settings("{\"builder\": {}}", Map.of("WANDB_LAUNCH_KANIKO_PVC_NAME", "kaniko-pvc",
                "WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH", "/home/launch_agent/kaniko"));

        assertThat(s.pvcMode()).isTrue();
        assertThat(s.pvcName()).isEqualTo("kaniko-pvc");
        assertThat(s.pvcMountPath()).isEqualTo(Path.of("/home/launch_agent/kaniko"));
    }

    @Test
    void aMissingContextStoreWithoutPvcIsAConfigErrorSayingWhatToSet() {
        assertThatThrownBy(() -> settings("{\"builder\": {\"type\": \"kaniko\"}}", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("launch-config.yaml: builder.build-context-store: is required")
                .hasMessageContaining("WANDB_LAUNCH_KANIKO_PVC_NAME");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> settings("{\"builder\": {\"build-context-store\": \"ftp://x/y\"}}", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("builder.build-context-store: 'ftp://x/y' is not a storage URI");
        assertThatThrownBy(() -> settings("{\"builder\": {\"build-context-store\": \"s3://b\", \"secret-name\": \"x\"}}", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("builder.secret-key: secret-name and secret-key must be set together");
        assertThatThrownBy(() -> settings("{\"builder\": {\"build-context-store\": \"s3://b\", \"python-version\": \"3\"}}", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("builder.python-version: '3' must be major.minor");
        assertThatThrownBy(() -> settings("{\"builder\": {\"build-context-store\": \"s3://b\", \"kaniko-config\": "
                + "{\"spec\": {\"template\": {\"spec\": {\"containers\": [{}, {}]}}}}}}", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("builder.kaniko-config.spec.template.spec.containers");
        assertThatThrownBy(() -> settings("{\"builder\": {\"build-context-store\": \"s3://b\", \"kaniko-config\": [1]}}", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("builder.kaniko-config: expected a mapping");
    }

    @Test
    void aCaBundleThatDoesNotExistIsReportedWithWhereItCameFrom() {
        assertThatThrownBy(() -> settings("{\"builder\": {\"build-context-store\": \"s3://b\"}}",
                Map.of("REQUESTS_CA_BUNDLE", tmp.resolve("nope.crt").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.crt does not exist (set by REQUESTS_CA_BUNDLE)");
    }
}
