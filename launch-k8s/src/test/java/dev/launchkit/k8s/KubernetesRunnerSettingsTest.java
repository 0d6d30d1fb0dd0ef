package dev.launchkit.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.k8s.render.Fixtures;
import dev.launchkit.k8s.render.SecurityPolicy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesRunnerSettingsTest {
    private LaunchContext context = LaunchContext.basic(Map.of());

    @AfterEach
    void stop() {
        context.scheduler().shutdownNow();
    }

    private KubernetesRunnerSettings read(String yaml, Map<String, String> env) {
        context.scheduler().shutdownNow();
        context = LaunchContext.basic(env);
        return KubernetesRunnerSettings.from(ConfigNode.of(Fixtures.yaml(yaml), "launch-config.yaml"), context);
    }

    @Test
    void readsEveryKey() {
        KubernetesRunnerSettings s = read("""
                kubeconfig: /etc/kube/config
                context: kind-dev
                namespace: ml-jobs
                additional_target_namespaces: [ml-jobs, default]
                owner: team-launch
                agent_name: agent-1
                macro_env: [DATA_BUCKET]
                security: Restricted
                service_account_namespace_file: /tmp/ns
                api_retries: 3
                """, Map.of());

        assertThat(s.kubeconfig()).isEqualTo("/etc/kube/config");
        assertThat(s.context()).isEqualTo("kind-dev");
        assertThat(s.namespace()).isEqualTo("ml-jobs");
        assertThat(s.additionalTargetNamespaces()).containsExactly("ml-jobs", "default");
        assertThat(s.owner()).isEqualTo("team-launch");
        assertThat(s.agentName()).isEqualTo("agent-1");
        assertThat(s.macroEnv()).containsExactly("DATA_BUCKET");
        assertThat(s.security()).isEqualTo(SecurityPolicy.RESTRICTED);
        assertThat(s.serviceAccountNamespaceFile()).isEqualTo(Path.of("/tmp/ns"));
        assertThat(s.apiRetries()).isEqualTo(3);
    }

    @Test
    void defaultsWhenNothingIsConfigured() {
        KubernetesRunnerSettings s = read("{}", Map.of());

        assertThat(s.owner()).isEqualTo("launchkit-agent");
        assertThat(s.agentName()).isEqualTo("launchkit-agent");
        assertThat(s.security()).isEqualTo(SecurityPolicy.DEFAULT);
        assertThat(s.additionalTargetNamespaces()).isEmpty();
        assertThat(s.serviceAccountNamespaceFile()).isEqualTo(KubernetesRunnerSettings.DEFAULT_NAMESPACE_FILE);
        assertThat(s.apiRetries()).isEqualTo(5);
    }

    @Test
    void honoursTheEnvironmentTheHelmChartAndCliSet() {
        KubernetesRunnerSettings s = read("{additional_target_namespaces: [team-a]}", Map.of(
                "LAUNCHKIT_ADDITIONAL_TARGET_NAMESPACES", "default, wandb,,team-a",
                "WANDB_RELEASE_NAME", "launch",
                "LAUNCHKIT_KUBE_CONTEXT", "from-cli"));

        assertThat(s.additionalTargetNamespaces()).containsExactly("team-a", "default", "wandb");
        assertThat(s.owner()).isEqualTo("launch");
        assertThat(s.releaseName()).isEqualTo("launch");
        assertThat(s.context()).isEqualTo("from-cli");
    }

    @Test
    void theConfiguredOwnerWinsOverTheReleaseName() {
        assertThat(read("{owner: mine}", Map.of("WANDB_RELEASE_NAME", "launch")).owner()).isEqualTo("mine");
    }

    @Test
    void readsTheWandbRunnerBlock() {
        assertThat(read("{namespace: ml-jobs}", Map.of()).namespace()).isEqualTo("ml-jobs");
    }

    @Test
    void refusesTheApiKeyInTheMacroAllowList() {
        assertThatThrownBy(() -> read("{macro_env: [DATA, WANDB_API_KEY]}", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("macro_env[1]: WANDB_API_KEY can never be substituted");
    }

    @Test
    void refusesAnUnknownSecurityPolicy() {
        assertThatThrownBy(() -> read("{security: strict}", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("launch-config.yaml: security: 'strict' is not one of default, restricted");
    }

    @Test
    void refusesABlockThatIsNotAMapping() {
        assertThatThrownBy(() -> KubernetesRunnerSettings.from(ConfigNode.of(
                new com.fasterxml.jackson.databind.ObjectMapper().getNodeFactory().textNode("kubernetes"),
                "launch-config.yaml"), context)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected a mapping");
    }

    @Test
    void refusesZeroRetries() {
        assertThatThrownBy(() -> read("{api_retries: 0}", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("api_retries: must be at least 1");
    }
}
