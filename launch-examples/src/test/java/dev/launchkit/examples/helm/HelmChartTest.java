package dev.launchkit.examples.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart, through real Helm (embedded), with every rendered object parsed into the official client's models. */
class HelmChartTest {
    private static final Path CHART = Path.of("src/main/helm/launch-agent");

    @TempDir
    Path tmp;

    private Path seedValues() throws IOException {
        Path file = tmp.resolve("seed-values.yaml");
        try (InputStream in = getClass().getResourceAsStream("/dev/launchkit/testkit/seed/values.yaml")) {
            Files.copy(in, file);
        }
        return file;
    }

    private static List<Object> render(Consumer<TemplateCommand> options) throws IOException {
        TemplateCommand cmd = new Helm(CHART).template().withName("rel").withNamespace("release-ns");
        options.accept(cmd);
        String yaml = cmd.call();
        List<Object> objects = Yaml.loadAll(yaml);
        assertThat(objects).allSatisfy(o -> assertThat(o).isInstanceOf(KubernetesObject.class));
        return objects;
    }

    private static <T> List<T> ofType(List<Object> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static V1Container agentContainer(List<Object> objects) {
        return ofType(objects, V1Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static V1EnvVar env(V1Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    @Test
    void lintsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void rendersTheSeedValuesUnchangedGivenAnApiKey() throws IOException {
        Path seed = seedValues();
        List<Object> objects = render(c -> c.withValuesFile(seed).set("agent.apiKey", "seed-api-key-0001"));

        V1Deployment deployment = ofType(objects, V1Deployment.class).get(0);
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("wandb");
        V1Container agent = agentContainer(objects);
        assertThat(agent.getImage()).isEqualTo("wandb/launch-agent:latest");
        assertThat(agent.getImagePullPolicy()).isEqualTo("Always");
        assertThat(agent.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(env(agent, "WANDB_API_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("wandb-api-key-rel");
        assertThat(env(agent, "LAUNCHKIT_ADDITIONAL_TARGET_NAMESPACES").getValue()).isEqualTo("default,wandb");
        assertThat(ofType(objects, V1Secret.class)).filteredOn(s -> s.getMetadata().getName().equals("wandb-api-key-rel"))
                .extracting(s -> s.getMetadata().getNamespace()).containsExactlyInAnyOrder("default", "wandb");
        V1ConfigMap config = ofType(objects, V1ConfigMap.class).get(0);
        assertThat(config.getData().get("launch-config.yaml")).contains("k8s-test").contains("max_jobs: 10");
        assertThat(config.getData()).containsEntry("wandb-base-url", "https://api.wandb.ai");
        assertThat(ofType(objects, V1RoleBinding.class)).extracting(rb -> rb.getMetadata().getNamespace())
                .contains("default", "wandb");
        // The empty workload-identity annotations of the seed are dropped rather than rendered as empty strings.
        V1ServiceAccount sa = ofType(objects, V1ServiceAccount.class).get(0);
        assertThat(sa.getMetadata().getAnnotations()).isNullOrEmpty();
        // No gitCreds given: no git secret and no mount.
        assertThat(ofType(objects, V1Secret.class)).noneMatch(s -> s.getMetadata().getName().startsWith("git-creds"));
    }

    @Test
    void missingApiKeySaysWhatToSet() throws IOException {
        Path seed = seedValues();
        assertThatThrownBy(() -> render(c -> c.withValuesFile(seed)))
                .hasMessageContaining("agent.apiKey is required unless agent.useExternalWandbSecret or agent.existingSecret is set");
    }

    @Test
    void rendersWithMinimalValues() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "k-minimal-123"));
        assertThat(ofType(objects, V1Deployment.class)).hasSize(1);
        V1Deployment d = ofType(objects, V1Deployment.class).get(0);
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        V1Container agent = agentContainer(objects);
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }

    @Test
    void nothingIsHardCodedToTheWandbNamespace() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "k-123456").set("namespace", "ml-agents")
                .set("additionalTargetNamespaces[0]", "team-a").set("azureStorageAccessKey", "azure-key-123")
                .set("additionalSecretEnvVars[0].name", "TOKEN").set("additionalSecretEnvVars[0].value", "tok-123"));
        for (Object o : objects) {
            KubernetesObject k = (KubernetesObject) o;
            assertThat(k.getMetadata().getNamespace()).as(k.getKind() + " " + k.getMetadata().getName())
                    .isIn(null, "ml-agents", "team-a");
        }
        V1Container agent = agentContainer(objects);
        assertThat(env(agent, "AZURE_STORAGE_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("azure-storage-access-key-rel");
        assertThat(env(agent, "TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("launch-agent-secret-env-vars-rel");
    }

    @Test
    void gitCredentialsSecretIsPerReleaseAndMounted() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "k-123456").set("gitCreds", "https://u:tok@git.example"));
        assertThat(ofType(objects, V1Secret.class)).anyMatch(s -> s.getMetadata().getName().equals("git-creds-rel"));
        assertThat(agentContainer(objects).getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/home/launch_agent/.git-credentials"));
    }

    @Test
    void additionalEnvValuesAreQuotedSoNumbersAndBooleansWork() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "k-123456")
                .set("additionalEnvVars[0].name", "PORT").set("additionalEnvVars[0].value", 8080)
                .set("additionalEnvVars[1].name", "DEBUG").set("additionalEnvVars[1].value", true));
        V1Container agent = agentContainer(objects);
        assertThat(env(agent, "PORT").getValue()).isEqualTo("8080");
        assertThat(env(agent, "DEBUG").getValue()).isEqualTo("true");
    }

    @Test
    void existingSecretsReplaceTheOnesTheChartWouldCreate() throws IOException {
        List<Object> objects = render(c -> c.set("agent.existingSecret", "my-wandb-key")
                .set("existingGitCredsSecret", "my-git").set("existingAzureStorageSecret", "my-azure"));
        assertThat(ofType(objects, V1Secret.class)).isEmpty();
        V1Container agent = agentContainer(objects);
        assertThat(env(agent, "WANDB_API_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("my-wandb-key");
        assertThat(env(agent, "AZURE_STORAGE_ACCESS_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("my-azure");
        V1Deployment d = ofType(objects, V1Deployment.class).get(0);
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> v.getSecret() != null
                && "my-git".equals(v.getSecret().getSecretName()));
    }

    @Test
    void rbacGrantsOnlyWhatTheRunnerNeedsPlusNamedCustomResources() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "k-123456")
                .set("rbac.customResources[0].apiGroup", "kubeflow.org")
                .set("rbac.customResources[0].resources[0]", "pytorchjobs"));
        V1ClusterRole role = ofType(objects, V1ClusterRole.class).get(0);
        assertThat(role.getRules()).extracting(V1PolicyRule::getResources).contains(List.of("pytorchjobs"), List.of("jobs"));
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("update", "deletecollection", "*"));
        assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("pods"))
                .allSatisfy(r -> assertThat(r.getVerbs()).containsExactly("get", "list", "watch"));
    }

    @Test
    void optionalPiecesRenderWhenAsked() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "k-123456").set("kanikoPvcName", "ctx")
                .set("kanikoDockerConfigSecret", "push-cfg").set("customCABundle.configMap.name", "ca")
                .set("customCABundle.configMap.key", "ca.crt").set("sshAuthSecrets[0].name", "gh")
                .set("sshAuthSecrets[0].host", "github.com").set("agent.podDisruptionBudget.enabled", true)
                .set("serviceAccount.annotations.iam\\.gke\\.io/gcp-service-account", "sa@p.iam"));
        V1Container agent = agentContainer(objects);
        assertThat(env(agent, "WANDB_LAUNCH_KANIKO_PVC_NAME").getValue()).isEqualTo("ctx");
        assertThat(env(agent, "WANDB_LAUNCH_KANIKO_AUTH_SECRET").getValue()).isEqualTo("push-cfg");
        assertThat(env(agent, "REQUESTS_CA_BUNDLE").getValue()).endsWith("custom-ca.crt");
        assertThat(ofType(objects, V1ConfigMap.class)).anyMatch(cm -> cm.getMetadata().getName().equals("ssh-config-rel")
                && cm.getData().get("config").contains("Host github.com"));
        assertThat(objects).anyMatch(o -> ((KubernetesObject) o).getKind().equals("PodDisruptionBudget"));
        assertThat(ofType(objects, V1ServiceAccount.class).get(0).getMetadata().getAnnotations())
                .isEqualTo(Map.of("iam.gke.io/gcp-service-account", "sa@p.iam"));
        // No root init container for the Kaniko PVC: fsGroup makes the mount writable for uid 1000.
        V1Deployment d = ofType(objects, V1Deployment.class).get(0);
        assertThat(d.getSpec().getTemplate().getSpec().getInitContainers())
                .allSatisfy(ic -> assertThat(ic.getSecurityContext().getRunAsUser()).isEqualTo(1000L));
    }

    @Test
    void apiKeyNeverAppearsAsAPlainEnvValue() throws IOException {
        List<Object> objects = render(c -> c.set("agent.apiKey", "very-secret-key-42"));
        assertThat(agentContainer(objects).getEnv()).noneMatch(e -> "very-secret-key-42".equals(e.getValue()));
    }
}
