package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.Stage;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kaniko builder end to end against the cluster: Job per auth mode, success and failure, PVC mode, skip. */
class KanikoBuildTest {
    private static final String NS = "default";
    private static final Duration WAIT = Duration.ofSeconds(20);
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

    private static String jobName(String runId) {
        return "wandb-launch-container-build-" + runId;
    }

    private static V1Container container(V1Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private boolean jobGone(String runId) throws ApiException {
        try {
            h.cluster.batch.readNamespacedJob(jobName(runId), NS).execute();
            return false;
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return true;
            }
            throw e;
        }
    }

    @Test
    void pvcModeBuildsFromTheClaimReportsFailedPackagesAndCleansEverythingUp() throws Exception {
        TestRegistry registry = TestRegistry.anonymous("registry.internal:5000/launch/images");
        h.builder("builder: {type: kaniko}", pvcEnv, registry, null);
        Job job = h.codeJob("run1", CODE);

        CompletableFuture<ImageRef> build = h.buildAsync(job);
        V1Job created = h.cluster.awaitJob(NS, jobName("run1"), WAIT, build);

        assertThat(container(created).getArgs()).contains("--context=tar:///context/run1.tgz",
                "--dockerfile=Dockerfile.wandb", "--cache=true", "--cache-repo=registry.internal:5000/launch/images");
        assertThat(created.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("launch-agent-sa");
        assertThat(created.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("kaniko-claim"));
        assertThat(pvc.resolve("run1.tgz")).as("context on the claim while Kaniko runs").exists();
        assertThat(h.cluster.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();

        h.cluster.playKanikoPod(created, """
                INFO[0001] Retrieving image manifest python:3.11-bookworm
                ERROR: Failed to install: pywin32. During automated build process.
                INFO[0042] Pushing image to registry.internal:5000/launch/images
                """, true);
        ImageRef image = build.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(image.repositoryUri()).isEqualTo("registry.internal:5000/launch/images");
        assertThat(container(created).getArgs()).contains("--destination=" + image);
        assertThat(image.tag()).hasSize(32).isEqualTo(registry.checked.iterator().next());
        assertThat(h.warnings).singleElement().asString()
                .startsWith("Some packages were not successfully installed during the build: pywin32");
        assertThat(pvc.resolve("run1.tgz")).as("context removed after the build").doesNotExist();
        assertThat(jobGone("run1")).as("build Job deleted").isTrue();
    }

    @Test
    void aFailedBuildFailsAtStageBuildQuotingTheKanikoLog() throws Exception {
        h.builder("builder: {type: kaniko}", pvcEnv, TestRegistry.anonymous("registry.internal:5000/launch"), null);
        CompletableFuture<ImageRef> build = h.buildAsync(h.codeJob("run2", CODE));
        V1Job created = h.cluster.awaitJob(NS, jobName("run2"), WAIT, build);

        h.cluster.playKanikoPod(created, """
                INFO[0001] Retrieving image manifest python:3.11-bookworm
                error building image: error building stage: failed to execute command: exit status 1
                ERROR: No matching distribution found for torch==9.9.9
                """, false);

        assertThatThrownBy(() -> build.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.BUILD))
                .hasMessageContaining("the Kaniko build of registry.internal:5000/launch:")
                .hasMessageContaining("failed")
                .hasMessageContaining("BackoffLimitExceeded")
                .hasMessageContaining("Last lines of the Kaniko log:")
                .hasMessageContaining("No matching distribution found for torch==9.9.9");
        assertThat(jobGone("run2")).isTrue();
        assertThat(pvc.resolve("run2.tgz")).doesNotExist();
    }

    @Test
    void anExistingTagIsReturnedWithoutAnyBuild() throws Exception {
        TestRegistry registry = TestRegistry.anonymous("registry.internal:5000/launch");
        h.builder("builder: {type: kaniko}", pvcEnv, registry, null);
        Job job = h.codeJob("run3", CODE);
        // The same source always hashes to the same tag: learn it from a first lookup, then make it exist.
        ImageRef first = h.buildAsync(job).handle((i, e) -> i).thenApply(i -> i).getNow(null);
        assertThat(first).isNull();
        V1Job created = h.cluster.awaitJob(NS, jobName("run3"), WAIT);
        String tag = registry.checked.iterator().next();
        h.cluster.playKanikoPod(created, "INFO pushed\n", true);
        awaitTrue(() -> jobGone("run3"));

        registry.existing.add(tag);
        ImageRef again = h.buildAsync(h.codeJob("run4", CODE)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(again.tag()).isEqualTo(tag);
        assertThat(h.cluster.batch.listNamespacedJob(NS).execute().getItems()).isEmpty();
        assertThat(pvc.resolve("run4.tgz")).doesNotExist();
        assertThat(h.logs).anyMatch(l -> l.contains("already exists in the registry; skipping the build"));
    }

    @Test
    void userDockerConfigSecretIsMountedAndNothingIsCreatedForIt() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(pvcEnv);
        env.put("WANDB_LAUNCH_KANIKO_AUTH_SECRET", "harbor-push");
        h.builder("builder: {type: kaniko}", env, TestRegistry.anonymous("harbor.corp/ml/launch"), null);
        CompletableFuture<ImageRef> build = h.buildAsync(h.codeJob("run5", CODE));
        V1Job created = h.cluster.awaitJob(NS, jobName("run5"), WAIT, build);

        assertThat(created.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("harbor-push");
            assertThat(v.getSecret().getItems().get(0).getPath()).isEqualTo("config.json");
        });
        assertThat(h.cluster.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
        assertThat(h.cluster.core.listNamespacedConfigMap(NS).execute().getItems()).isEmpty();
        h.cluster.playKanikoPod(created, "ok\n", true);
        build.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void ecrWithWorkloadIdentityGetsACredentialHelperConfigMapAndTheRegionButNoSecret() throws Exception {
        TestRegistry ecr = new TestRegistry("ecr", "123456789012.dkr.ecr.eu-central-1.amazonaws.com/launch", null,
                "ecr-login");
        h.builder("builder: {type: kaniko}", pvcEnv, ecr, null);
        CompletableFuture<ImageRef> build = h.buildAsync(h.codeJob("run6", CODE));
        V1Job created = h.cluster.awaitJob(NS, jobName("run6"), WAIT, build);

        // The builder adds the owner reference right after creating the Job.
        awaitTrue(() -> hasOwner(h.cluster.core.readNamespacedConfigMap(jobName("run6") + "-docker-config", NS).execute()
                .getMetadata()));
        V1ConfigMap cm = h.cluster.core.readNamespacedConfigMap(jobName("run6") + "-docker-config", NS).execute();
        assertThat(cm.getData().get("config.json"))
                .isEqualTo("{\"credHelpers\":{\"123456789012.dkr.ecr.eu-central-1.amazonaws.com\":\"ecr-login\"}}");
        assertThat(cm.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Job");
            assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
        });
        assertThat(container(created).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("AWS_REGION");
            assertThat(e.getValue()).isEqualTo("eu-central-1");
        });
        assertThat(h.cluster.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();

        h.cluster.playKanikoPod(created, "ok\n", true);
        build.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(h.cluster.core.listNamespacedConfigMap(NS).execute().getItems()).isEmpty();
    }

    @Test
    void acrWithWorkloadIdentityLabelsThePodForAzureWorkloadIdentity() throws Exception {
        TestRegistry acr = new TestRegistry("acr", "myreg.azurecr.io/launch", null, "acr-env");
        h.builder("builder: {type: kaniko}", pvcEnv, acr, null);
        CompletableFuture<ImageRef> build = h.buildAsync(h.codeJob("run7", CODE));
        V1Job created = h.cluster.awaitJob(NS, jobName("run7"), WAIT, build);

        assertThat(created.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("azure.workload.identity/use", "true");
        assertThat(h.cluster.core.readNamespacedConfigMap(jobName("run7") + "-docker-config", NS).execute().getData()
                .get("config.json")).isEqualTo("{\"credHelpers\":{\"myreg.azurecr.io\":\"acr-env\"}}");
        h.cluster.playKanikoPod(created, "ok\n", true);
        build.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void registryCredentialsGoIntoASecretOwnedByTheBuildJobAndNeverIntoTheJobOrTheLog() throws Exception {
        RegistryCredentials creds = new RegistryCredentials("registry.corp:5000", "robot", "pa55-w0rd-xyz",
                Instant.MAX);
        h.builder("builder: {type: kaniko}", pvcEnv,
                new TestRegistry("generic", "registry.corp:5000/launch", creds, null), null);
        CompletableFuture<ImageRef> build = h.buildAsync(h.codeJob("run8", CODE));
        V1Job created = h.cluster.awaitJob(NS, jobName("run8"), WAIT, build);

        awaitTrue(() -> hasOwner(h.cluster.core.readNamespacedSecret(jobName("run8") + "-docker-config", NS).execute()
                .getMetadata()));
        V1Secret secret = h.cluster.core.readNamespacedSecret(jobName("run8") + "-docker-config", NS).execute();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(new String(secret.getData().get(".dockerconfigjson"), StandardCharsets.UTF_8))
                .contains("\"registry.corp:5000\"").contains(creds.basicAuth());
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo(jobName("run8")));
        assertThat(io.kubernetes.client.openapi.JSON.serialize(created)).doesNotContain("pa55-w0rd-xyz")
                .doesNotContain(creds.basicAuth());

        h.cluster.playKanikoPod(created, "oops pa55-w0rd-xyz leaked\n", false);
        assertThatThrownBy(() -> build.get(WAIT.toSeconds(), TimeUnit.SECONDS)).cause()
                .hasMessageContaining("oops **** leaked").hasMessageNotContaining("pa55-w0rd-xyz");
        assertThat(h.logs).noneMatch(l -> l.contains("pa55-w0rd-xyz"));
        assertThat(h.cluster.core.listNamespacedSecret(NS).execute().getItems()).isEmpty();
    }

    private static void awaitTrue(Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(20); // poll interval, bounded by the deadline
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    /** The mock stores an empty list before the builder's owner-reference patch lands, so wait for a real one. */
    private static boolean hasOwner(io.kubernetes.client.openapi.models.V1ObjectMeta meta) {
        return meta.getOwnerReferences() != null && !meta.getOwnerReferences().isEmpty();
    }
}
