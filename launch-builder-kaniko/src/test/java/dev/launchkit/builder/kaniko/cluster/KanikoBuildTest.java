package dev.launchkit.builder.kaniko.cluster;

import static dev.launchkit.builder.kaniko.cluster.BuildHarness.WAIT;
import static dev.launchkit.builder.kaniko.cluster.BuildHarness.container;
import static dev.launchkit.builder.kaniko.cluster.BuildHarness.jobName;
import static dev.launchkit.builder.kaniko.cluster.BuildHarness.scriptedBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.Stage;
import dev.launchkit.k8s.monitor.MonitorSettings;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kaniko builder end to end against the simulated cluster: the Job per auth mode, success and failure with the
 * Kaniko log, PVC mode, skip when the tag exists, content tags, cleanup.
 */
class KanikoBuildTest {
    private static final String NS = "default";
    private static final Map<String, String> CODE = Map.of("train.py", "print('hi')\n", "requirements.txt", "wandb\n");
    @TempDir
    Path tmp;
    private BuildHarness h;
    private Path pvc;
    private Map<String, String> pvcEnv;

    @BeforeEach
    void start() throws Exception {
        h = new BuildHarness(tmp);
        pvc = Files.createDirectories(tmp.resolve("kaniko-pvc"));
        pvcEnv = Map.of("WANDB_LAUNCH_KANIKO_PVC_NAME", "kaniko-claim",
                "WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH", pvc.toString(),
                "WANDB_LAUNCH_SERVICE_ACCOUNT_NAME", "launch-agent-sa");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void pvcModeBuildsFromTheClaimReportsFailedPackagesAndCleansEverythingUp() throws Exception {
        TestRegistry registry = TestRegistry.anonymous("registry.internal:5000/launch/images");
        h.builder(scriptedBuilder("succeed", """
                INFO[0001] Retrieving image manifest python:3.11-bookworm
                ERROR: Failed to install: pywin32. During automated build process.
                INFO[0042] Pushing image to registry.internal:5000/launch/images
                """, Map.of()), pvcEnv, registry, null);
        h.duringBuild(job -> {
            assertThat(container(job).getArgs()).contains("--context=tar:///context/run1.tgz",
                    "--dockerfile=Dockerfile.wandb", "--cache=true",
                    "--cache-repo=registry.internal:5000/launch/images");
            assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("launch-agent-sa");
            assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
                    .filteredOn(v -> v.getPersistentVolumeClaim() != null).singleElement().satisfies(v ->
                    assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("kaniko-claim"));
            assertThat(pvc.resolve("run1.tgz")).as("context on the claim while Kaniko runs").exists();
            assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
        });

        ImageRef image = h.build(h.codeJob("run1", CODE));

        assertThat(image.repositoryUri()).isEqualTo("registry.internal:5000/launch/images");
        assertThat(container(h.createdJob("run1")).getArgs()).contains("--destination=" + image);
        assertThat(image.tag()).hasSize(32).isEqualTo(registry.checked.iterator().next());
        assertThat(h.warnings).singleElement().asString()
                .startsWith("Some packages were not successfully installed during the build: pywin32");
        assertThat(pvc.resolve("run1.tgz")).as("context removed after the build").doesNotExist();
        h.awaitJobAndPodsGone(NS, "run1");
    }

    @Test
    void aFailedBuildFailsAtStageBuildQuotingTheKanikoLogAndCleansUp() throws Exception {
        h.builder(scriptedBuilder("fail", """
                INFO[0001] Retrieving image manifest python:3.11-bookworm
                error building image: error building stage: failed to execute command: exit status 1
                ERROR: No matching distribution found for torch==9.9.9
                """, Map.of("memory", "6Gi")), pvcEnv, TestRegistry.anonymous("registry.internal:5000/launch"), null);

        assertThatThrownBy(() -> h.build(h.codeJob("run2", CODE)))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.BUILD))
                .hasMessageContaining("the Kaniko build of registry.internal:5000/launch:")
                .hasMessageContaining("failed")
                .hasMessageContaining("BackoffLimitExceeded")
                .hasMessageContaining("Last lines of the Kaniko log:")
                .hasMessageContaining("No matching distribution found for torch==9.9.9");
        V1Job created = h.createdJob("run2");
        assertThat(created.getSpec().getTemplate().getMetadata().getAnnotations())
                .as("kaniko-config merged into the Job").containsEntry("sim.launchkit.dev/scenario", "fail");
        assertThat(container(created).getResources().getLimits().get("memory").toSuffixedString()).isEqualTo("6Gi");
        assertThat(container(created).getImage()).as("the builder's defaults fill what kaniko-config leaves out")
                .startsWith("gcr.io/kaniko-project/executor:");
        assertThat(h.warnings).isEmpty();
        h.awaitJobAndPodsGone(NS, "run2");
        assertThat(pvc.resolve("run2.tgz")).doesNotExist();
    }

    @Test
    void anExistingTagIsReturnedWithoutAnyBuild() throws Exception {
        TestRegistry registry = TestRegistry.anonymous("registry.internal:5000/launch");
        h.builder("builder: {type: kaniko}", pvcEnv, registry, null);
        String tag = h.build(h.codeJob("run3", CODE)).tag();

        registry.existing.add(tag);
        ImageRef again = h.build(h.codeJob("run4", CODE));

        assertThat(again.tag()).isEqualTo(tag);
        assertThat(h.created).containsOnlyKeys(jobName("run3"));
        assertThat(h.batch.listNamespacedJob(NS).execute().getItems()).isEmpty();
        assertThat(pvc.resolve("run4.tgz")).doesNotExist();
        assertThat(h.logs).anyMatch(l -> l.contains("already exists in the registry; skipping the build"));
    }

    @Test
    void theSameSourceTreeBuildsTheSameTagTwiceAndAOneByteChangeAnother() throws Exception {
        h.builder("builder: {type: kaniko}", pvcEnv, TestRegistry.anonymous("registry.internal:5000/launch"), null);

        ImageRef first = h.build(h.codeJob("same1", CODE));
        ImageRef second = h.build(h.codeJob("same2", CODE));
        Map<String, String> changed = new HashMap<>(CODE);
        changed.put("train.py", "print('hI')\n");
        ImageRef third = h.build(h.codeJob("same3", changed));

        assertThat(second).isEqualTo(first);
        assertThat(third.repositoryUri()).isEqualTo(first.repositoryUri());
        assertThat(third.tag()).isNotEqualTo(first.tag());
        assertThat(container(h.createdJob("same2")).getArgs()).contains("--destination=" + first);
        assertThat(container(h.createdJob("same3")).getArgs()).contains("--destination=" + third);
    }

    @Test
    void userDockerConfigSecretIsMountedAndNothingIsCreatedForIt() throws Exception {
        Map<String, String> env = new HashMap<>(pvcEnv);
        env.put("WANDB_LAUNCH_KANIKO_AUTH_SECRET", "harbor-push");
        h.builder("builder: {type: kaniko}", env, TestRegistry.anonymous("harbor.corp/ml/launch"), null);
        h.duringBuild(job -> {
            assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null)
                    .anySatisfy(v -> {
                        assertThat(v.getSecret().getSecretName()).isEqualTo("harbor-push");
                        assertThat(v.getSecret().getItems().get(0).getPath()).isEqualTo("config.json");
                    });
            assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
            assertThat(h.core.listNamespacedConfigMap(NS).execute().getItems()).isEmpty();
        });

        h.build(h.codeJob("run5", CODE));

        assertThat(h.created).containsKey(jobName("run5"));
    }

    @Test
    void ecrWithWorkloadIdentityGetsACredentialHelperConfigMapAndTheRegionButNoSecret() throws Exception {
        TestRegistry ecr = new TestRegistry("ecr", "123456789012.dkr.ecr.eu-central-1.amazonaws.com/launch", null,
                "ecr-login");
        h.builder("builder: {type: kaniko}", pvcEnv, ecr, null);
        h.duringBuild(job -> {
            V1ConfigMap cm = h.core.readNamespacedConfigMap(jobName("run6") + "-docker-config", NS).execute();
            assertThat(cm.getData().get("config.json"))
                    .isEqualTo("{\"credHelpers\":{\"123456789012.dkr.ecr.eu-central-1.amazonaws.com\":\"ecr-login\"}}");
            assertThat(cm.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getKind()).isEqualTo("Job");
                assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid());
            });
            assertThat(container(job).getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("AWS_REGION");
                assertThat(e.getValue()).isEqualTo("eu-central-1");
            });
            assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
        });

        h.build(h.codeJob("run6", CODE));

        assertThat(h.created).containsKey(jobName("run6"));
        assertThat(h.core.listNamespacedConfigMap(NS).execute().getItems()).isEmpty();
    }

    @Test
    void acrWithWorkloadIdentityLabelsThePodForAzureWorkloadIdentity() throws Exception {
        TestRegistry acr = new TestRegistry("acr", "myreg.azurecr.io/launch", null, "acr-env");
        h.builder("builder: {type: kaniko}", pvcEnv, acr, null);
        h.duringBuild(job -> {
            assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
                    .containsEntry("azure.workload.identity/use", "true");
            assertThat(h.core.readNamespacedConfigMap(jobName("run7") + "-docker-config", NS).execute().getData()
                    .get("config.json")).isEqualTo("{\"credHelpers\":{\"myreg.azurecr.io\":\"acr-env\"}}");
            assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
        });

        h.build(h.codeJob("run7", CODE));

        assertThat(h.created).containsKey(jobName("run7"));
        assertThat(h.core.listNamespacedConfigMap(NS).execute().getItems()).isEmpty();
    }

    @Test
    void garWithWorkloadIdentityGetsTheGcrCredentialHelperAndNoSecret() throws Exception {
        TestRegistry gar = new TestRegistry("gar", "europe-west4-docker.pkg.dev/ml-proj/launch/images", null, "gcr");
        h.builder("builder: {type: kaniko}", pvcEnv, gar, null);
        h.duringBuild(job -> {
            assertThat(h.core.readNamespacedConfigMap(jobName("gar1") + "-docker-config", NS).execute().getData()
                    .get("config.json")).isEqualTo("{\"credHelpers\":{\"europe-west4-docker.pkg.dev\":\"gcr\"}}");
            assertThat(container(job).getVolumeMounts()).anySatisfy(m ->
                    assertThat(m.getMountPath()).isEqualTo("/kaniko/.docker"));
            assertThat(container(job).getEnv()).noneMatch(e -> e.getName().equals("GOOGLE_APPLICATION_CREDENTIALS"));
            assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
        });

        ImageRef image = h.build(h.codeJob("gar1", CODE));

        assertThat(image.repositoryUri()).isEqualTo("europe-west4-docker.pkg.dev/ml-proj/launch/images");
        assertThat(h.created).containsKey(jobName("gar1"));
        assertThat(h.core.listNamespacedConfigMap(NS).execute().getItems()).isEmpty();
    }

    @Test
    void aCloudCredentialsSecretFromSecretNameIsMountedWhereGoogleToolsLookAndNothingIsCreatedForIt() throws Exception {
        TestRegistry gar = new TestRegistry("gar", "us-docker.pkg.dev/ml-proj/launch/images", null, "gcr");
        h.builder("builder: {type: kaniko, secret-name: gcp-sa, secret-key: key.json}", pvcEnv, gar, null);
        h.duringBuild(job -> {
            var pod = job.getSpec().getTemplate().getSpec();
            assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).anySatisfy(v -> {
                assertThat(v.getSecret().getSecretName()).isEqualTo("gcp-sa");
                assertThat(v.getSecret().getItems().get(0).getKey()).isEqualTo("key.json");
            });
            assertThat(container(job).getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("GOOGLE_APPLICATION_CREDENTIALS");
                assertThat(e.getValue()).isEqualTo("/kaniko/.config/gcloud/config.json");
            });
            assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).as("the user's Secret is only referenced")
                    .isEmpty();
        });

        h.build(h.codeJob("gcp1", CODE));

        assertThat(h.created).containsKey(jobName("gcp1"));
    }

    @Test
    void anExecutorImageThatCannotBePulledFailsTheBuildWithTheMonitorsDiagnosis() throws Exception {
        h.builder("""
                builder:
                  type: kaniko
                  kaniko-image: registry.internal:5000/mirror/kaniko-executor:v1.23.2
                  kaniko-config:
                    spec:
                      template:
                        metadata:
                          annotations: {sim.launchkit.dev/scenario: image-pull-backoff}
                """, pvcEnv, TestRegistry.anonymous("registry.internal:5000/launch"), null,
                MonitorSettings.defaults().withStartTimeout(Duration.ofSeconds(1)));

        assertThatThrownBy(() -> h.build(h.codeJob("pull1", CODE))).cause()
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.BUILD))
                .hasMessageContaining("ImagePullBackOff")
                .hasMessageContaining("registry.internal:5000/mirror/kaniko-executor:v1.23.2");
        assertThat(container(h.createdJob("pull1")).getImage())
                .isEqualTo("registry.internal:5000/mirror/kaniko-executor:v1.23.2");
        h.awaitJobAndPodsGone(NS, "pull1");
        assertThat(pvc.resolve("pull1.tgz")).doesNotExist();
    }

    @Test
    void registryCredentialsGoIntoASecretOwnedByTheBuildJobAndNeverIntoTheJobOrTheLog() throws Exception {
        RegistryCredentials creds = new RegistryCredentials("registry.corp:5000", "robot", "pa55-w0rd-xyz",
                Instant.MAX);
        h.builder(scriptedBuilder("fail", "", Map.of()), pvcEnv, new TestRegistry("generic", "registry.corp:5000/launch", creds, null), null);
        h.duringBuild(job -> {
            V1Secret secret = h.core.readNamespacedSecret(jobName("run8") + "-docker-config", NS).execute();
            assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
            assertThat(new String(secret.getData().get(".dockerconfigjson"), StandardCharsets.UTF_8))
                    .contains("\"registry.corp:5000\"").contains(creds.basicAuth());
            assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getName()).isEqualTo(jobName("run8"));
                assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid());
            });
            assertThat(JSON.serialize(job)).doesNotContain("pa55-w0rd-xyz").doesNotContain(creds.basicAuth());
        });
        h.kanikoLog("oops pa55-w0rd-xyz leaked\n");

        assertThatThrownBy(() -> h.build(h.codeJob("run8", CODE))).cause()
                .hasMessageContaining("oops **** leaked").hasMessageNotContaining("pa55-w0rd-xyz");
        assertThat(h.logs).noneMatch(l -> l.contains("pa55-w0rd-xyz"));
        assertThat(h.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
        h.awaitJobAndPodsGone(NS, "run8");
    }
}
