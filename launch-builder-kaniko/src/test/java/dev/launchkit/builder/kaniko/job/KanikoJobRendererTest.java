package dev.launchkit.builder.kaniko.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Volume;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KanikoJobRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KanikoJobRenderer renderer = new KanikoJobRenderer();

    private static BuildJobRequest request(RegistryAuth auth, List<CloudSecret> cloud, String pvc, ObjectNode config) {
        return new BuildJobRequest("launch-ns", "wandb-launch-container-build-run1", "run1", "launch-agent",
                "gcr.io/kaniko-project/executor:v1.23.2", "s3://bucket/ctx/run1.tgz",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/launch:abc", "123456789012.dkr.ecr.us-east-1.amazonaws.com/launch",
                "launch-agent-sa", 1800, 600, auth, cloud, Map.of("AWS_REGION", "us-east-1"), Map.of(), pvc, Map.of(),
                config);
    }

    private static ObjectNode yaml(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    private static V1Container container(V1Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static V1Volume volume(V1Job job, String name) {
        return job.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void rendersWandbDefaultsWhenKanikoConfigIsEmpty() {
        RenderedBuild build = renderer.render(request(new RegistryAuth.Anonymous(), List.of(), "", null));
        V1Job job = build.job();
        V1PodSpec pod = job.getSpec().getTemplate().getSpec();

        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getMetadata().getName()).isEqualTo("wandb-launch-container-build-run1");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("launch-ns");
        assertThat(job.getMetadata().getLabels()).containsEntry("wandb", "launch")
                .containsEntry("wandb.ai/monitor", "true").containsEntry("launchkit.dev/owner", "launch-agent")
                .containsEntry("launchkit.dev/role", "build").doesNotContainKey("wandb.ai/run-id");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("wandb.ai/monitor", "true")
                .containsEntry("launchkit.dev/owner", "launch-agent");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getServiceAccountName()).isEqualTo("launch-agent-sa");
        assertThat(container(job).getName()).isEqualTo("wandb-container-build");
        assertThat(container(job).getImage()).isEqualTo("gcr.io/kaniko-project/executor:v1.23.2");
        assertThat(container(job).getArgs()).containsExactly(
                "--context=s3://bucket/ctx/run1.tgz",
                "--dockerfile=Dockerfile.wandb",
                "--destination=123456789012.dkr.ecr.us-east-1.amazonaws.com/launch:abc",
                "--cache=true",
                "--cache-repo=123456789012.dkr.ecr.us-east-1.amazonaws.com/launch",
                "--snapshot-mode=redo",
                "--compressed-caching=false");
        assertThat(container(job).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("AWS_REGION");
            assertThat(e.getValue()).isEqualTo("us-east-1");
        });
        assertThat(container(job).getSecurityContext()).isNull();
        assertThat(build.configMaps()).isEmpty();
        assertThat(build.secrets()).isEmpty();
    }

    @Test
    void mergesAFullPartialJobFromKanikoConfigWithTheUsersValuesWinning() throws Exception {
        ObjectNode config = yaml("""
                {"metadata": {"name": "ignored", "labels": {"team": "ml"}},
                 "spec": {"activeDeadlineSeconds": 3600,
                  "template": {"metadata": {"annotations": {"sidecar.istio.io/inject": "false"}},
                   "spec": {"serviceAccountName": "builder", "nodeSelector": {"pool": "build"},
                    "tolerations": [{"key": "build", "operator": "Exists"}],
                    "volumes": [{"name": "cache", "emptyDir": {}}],
                    "containers": [{"args": ["--cache=false", "--verbosity=debug", "--destination=evil.io/x:y",
                                             "--reproducible", "-v"],
                      "resources": {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"memory": "8Gi"}},
                      "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
                      "env": [{"name": "AWS_REGION", "value": "eu-west-1"}]}]}}}}
                """);
        KanikoJobRenderer.validate(config, "builder.kaniko-config");

        V1Job job = renderer.render(request(new RegistryAuth.Anonymous(), List.of(), "", config)).job();
        V1Container c = container(job);

        assertThat(job.getMetadata().getName()).isEqualTo("wandb-launch-container-build-run1");
        assertThat(job.getMetadata().getLabels()).containsEntry("team", "ml").containsEntry("wandb.ai/monitor", "true");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L);
        assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("builder");
        assertThat(job.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("pool", "build");
        assertThat(job.getSpec().getTemplate().getSpec().getTolerations()).hasSize(1);
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getVolumeMounts()).extracting("mountPath").contains("/cache");
        assertThat(c.getArgs()).containsExactly(
                "--context=s3://bucket/ctx/run1.tgz",
                "--dockerfile=Dockerfile.wandb",
                "--destination=123456789012.dkr.ecr.us-east-1.amazonaws.com/launch:abc",
                "--cache=false",
                "--cache-repo=123456789012.dkr.ecr.us-east-1.amazonaws.com/launch",
                "--snapshot-mode=redo",
                "--compressed-caching=false",
                "--verbosity=debug",
                "--reproducible",
                "-v");
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("AWS_REGION")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("eu-west-1"));
    }

    @Test
    void aUserDockerConfigSecretIsMountedAsKanikoDockerConfigJson() {
        RenderedBuild build = renderer.render(request(new RegistryAuth.UserSecret("my-regcred"), List.of(), "", null));

        V1Volume v = volume(build.job(), "kaniko-docker-config");
        assertThat(v.getSecret().getSecretName()).isEqualTo("my-regcred");
        assertThat(v.getSecret().getItems()).singleElement().satisfies(i -> {
            assertThat(i.getKey()).isEqualTo(".dockerconfigjson");
            assertThat(i.getPath()).isEqualTo("config.json");
        });
        assertThat(container(build.job()).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("kaniko-docker-config");
            assertThat(m.getMountPath()).isEqualTo("/kaniko/.docker");
        });
        assertThat(build.secrets()).isEmpty();
        assertThat(build.configMaps()).isEmpty();
    }

    @Test
    void credentialHelpersGoInAConfigMapWithoutAnySecret() throws Exception {
        RenderedBuild build = renderer.render(request(new RegistryAuth.CredentialHelpers(
                Map.of("123456789012.dkr.ecr.us-east-1.amazonaws.com", "ecr-login")), List.of(), "", null));

        assertThat(build.secrets()).isEmpty();
        assertThat(build.configMaps()).singleElement().satisfies(cm -> {
            assertThat(cm.getMetadata().getName()).isEqualTo("wandb-launch-container-build-run1-docker-config");
            assertThat(cm.getMetadata().getNamespace()).isEqualTo("launch-ns");
            assertThat(JSON.readTree(cm.getData().get("config.json")))
                    .isEqualTo(JSON.readTree("{\"credHelpers\":{\"123456789012.dkr.ecr.us-east-1.amazonaws.com\":\"ecr-login\"}}"));
        });
        assertThat(volume(build.job(), "kaniko-docker-config").getConfigMap().getName())
                .isEqualTo("wandb-launch-container-build-run1-docker-config");
    }

    @Test
    void registryCredentialsGoInADockerConfigSecretThatTheJobOnlyReferences() throws Exception {
        String config = "{\"auths\":{\"reg.example.com\":{\"auth\":\"dXNlcjpzM2NyZXQ=\"}}}";
        RenderedBuild build = renderer.render(request(new RegistryAuth.DockerConfig(config), List.of(), "", null));

        assertThat(build.secrets()).singleElement().satisfies(s -> {
            assertThat(s.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
            assertThat(new String(s.getData().get(".dockerconfigjson"), StandardCharsets.UTF_8)).isEqualTo(config);
        });
        assertThat(volume(build.job(), "kaniko-docker-config").getSecret().getSecretName())
                .isEqualTo("wandb-launch-container-build-run1-docker-config");
        assertThat(io.kubernetes.client.openapi.JSON.serialize(build.job())).doesNotContain("dXNlcjpzM2NyZXQ=");
    }

    @Test
    void cloudCredentialSecretsAreMountedWhereEachCloudsToolsLook() {
        V1Job aws = renderer.render(request(new RegistryAuth.Anonymous(),
                List.of(new CloudSecret("aws-secret", "creds", CloudSecret.Cloud.AWS)), "", null)).job();
        V1Job gcp = renderer.render(request(new RegistryAuth.Anonymous(),
                List.of(new CloudSecret("gcp-secret", "key.json", CloudSecret.Cloud.GCP)), "", null)).job();

        assertThat(volume(aws, "kaniko-cloud-credentials").getSecret().getItems().get(0).getPath()).isEqualTo("credentials");
        assertThat(container(aws).getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/root/.aws"));
        assertThat(volume(gcp, "kaniko-cloud-credentials").getSecret().getItems().get(0).getKey()).isEqualTo("key.json");
        assertThat(container(gcp).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("GOOGLE_APPLICATION_CREDENTIALS");
            assertThat(e.getValue()).isEqualTo("/kaniko/.config/gcloud/config.json");
        });
    }

    @Test
    void pvcModeMountsTheClaimAtContext() {
        BuildJobRequest r = request(new RegistryAuth.Anonymous(), List.of(), "kaniko-pvc-claim", null);
        V1Job job = renderer.render(r).job();

        assertThat(volume(job, "kaniko-pvc").getPersistentVolumeClaim().getClaimName()).isEqualTo("kaniko-pvc-claim");
        assertThat(container(job).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/context");
            assertThat(m.getReadOnly()).isTrue();
        });
    }

    @Test
    void secretEnvironmentVariablesUseSecretKeyRefs() {
        BuildJobRequest base = request(new RegistryAuth.Anonymous(), List.of(), "", null);
        BuildJobRequest r = new BuildJobRequest(base.namespace(), base.name(), base.runId(), base.owner(),
                base.kanikoImage(), "https://acct.blob.core.windows.net/ctx/run1.tgz", base.destination(),
                base.cacheRepo(), base.serviceAccount(), 1800, 600, base.auth(), List.of(), Map.of(),
                Map.of("AZURE_STORAGE_ACCESS_KEY", List.of("azure-storage-access-key", "password")), "",
                Map.of("azure.workload.identity/use", "true"), null);

        V1Job job = renderer.render(r).job();

        assertThat(container(job).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("AZURE_STORAGE_ACCESS_KEY");
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("azure-storage-access-key");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        });
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("azure.workload.identity/use", "true");
    }

    @Test
    void kanikoConfigWithTwoContainersOrAnotherKindIsRefusedNamingTheKey() throws Exception {
        assertThatThrownBy(() -> KanikoJobRenderer.validate(yaml(
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{},{}]}}}}"), "builder.kaniko-config"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("builder.kaniko-config.spec.template.spec.containers: at most one container");
        assertThatThrownBy(() -> KanikoJobRenderer.validate(yaml("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}"),
                "builder.kaniko-config"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be a (partial) batch/v1 Job, got v1 Pod");
        assertThatThrownBy(() -> KanikoJobRenderer.validate(yaml("{\"spec\":{\"templat\":{}}}"), "builder.kaniko-config"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("builder.kaniko-config: not a valid Job fragment")
                .hasMessageContaining("templat");
    }

    @Test
    void buildJobNamesAreRfc1123LabelsEvenForLongOrOddRunIds() {
        assertThat(BuildJobNames.jobName("wandb-launch-container-build", "abc123")).isEqualTo("wandb-launch-container-build-abc123");
        assertThat(BuildJobNames.jobName("My_Builds", "Run.ID_9")).isEqualTo("my-builds-run-id-9");
        String longName = BuildJobNames.jobName("wandb-launch-container-build", "x".repeat(80));
        String other = BuildJobNames.jobName("wandb-launch-container-build", "x".repeat(79) + "y");
        assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
        assertThat(other).isNotEqualTo(longName).hasSizeLessThanOrEqualTo(63);
    }
}
