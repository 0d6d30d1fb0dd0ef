package dev.launchkit.k8s.submit;

import static dev.launchkit.k8s.render.Fixtures.API_KEY;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.k8s.Labels;
import dev.launchkit.k8s.render.Fixtures;
import dev.launchkit.k8s.render.ManifestRenderer;
import dev.launchkit.k8s.render.RenderedRun;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KubeSubmitterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final SimulatedCluster cluster = SimulatedCluster.start();
    {
        cluster.registerCustomResource("kubeflow.org", "v1", "PyTorchJob", "pytorchjobs");
        cluster.registerCustomResource("batch.volcano.sh", "v1alpha1", "Job", "jobs");
        cluster.registerCustomResource("jobset.x-k8s.io", "v1alpha2", "JobSet", "jobsets");
        cluster.registerCustomResource("ray.io", "v1", "RayJob", "rayjobs");
    }
    private final SecretMasker masker = new SecretMasker();
    private final ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV, masker);
    private final KubeSubmitter submitter = new KubeSubmitter(cluster.apiClient(),
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), 4), masker);
    private final BatchV1Api batch = new BatchV1Api(cluster.apiClient());
    private final CoreV1Api core = new CoreV1Api(cluster.apiClient());

    @AfterEach
    void stop() {
        cluster.close();
    }

    private RenderedRun seedRun() {
        return renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE);
    }

    @Test
    void createsTheJobAsRenderedAndTheServerHoldsIt() throws Exception {
        RenderedRun run = seedRun();
        Submission s = submitter.submit(run);

        V1Job held = batch.readNamespacedJob("launch-k3x9p2aa", "wandb").execute();
        assertThat(s.adopted()).isFalse();
        assertThat(s.ref().toString()).isEqualTo("wandb/Job/launch-k3x9p2aa");
        assertThat(s.ref().plural()).isEqualTo("jobs");
        assertThat(s.uid()).isNotEmpty().isEqualTo(held.getMetadata().getUid());
        assertThat(held.getMetadata().getLabels()).containsEntry("queue", "k8s-test")
                .containsEntry(Labels.RUN_ID, "k3x9p2aa").containsEntry(Labels.OWNER, "launch-agent");
        assertThat(held.getSpec().getBackoffLimit()).isZero();
        assertThat(held.getSpec().getTtlSecondsAfterFinished()).isEqualTo(60);
        assertThat(held.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
                .getCapabilities().getDrop()).containsExactly("ALL");
        V1Job rendered = run.batchJob().orElseThrow();
        assertThat(held.getSpec().getTemplate()).isEqualTo(rendered.getSpec().getTemplate());
    }

    @Test
    void createsTheApiKeySecretOwnedByTheJobAndReferencesItFromTheContainer() throws Exception {
        Submission s = submitter.submit(seedRun());

        V1Secret secret = core.readNamespacedSecret("wandb-api-key-k3x9p2aa", "wandb").execute();
        assertThat(new String(secret.getData().get("password"), StandardCharsets.UTF_8)).isEqualTo(API_KEY);
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Job");
            assertThat(o.getName()).isEqualTo("launch-k3x9p2aa");
            assertThat(o.getUid()).isEqualTo(s.uid());
        });
        V1EnvVar key = batch.readNamespacedJob("launch-k3x9p2aa", "wandb").execute().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("WANDB_API_KEY")).findFirst().orElseThrow();
        assertThat(key.getValue()).isNull();
        assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("wandb-api-key-k3x9p2aa");
    }

    @Test
    void resubmittingTheSameRunAdoptsTheExistingJobInsteadOfCreatingASecond() throws Exception {
        Submission first = submitter.submit(seedRun());
        Submission second = submitter.submit(seedRun());

        assertThat(second.adopted()).isTrue();
        assertThat(second.uid()).isEqualTo(first.uid());
        assertThat(batch.listNamespacedJob("wandb").execute().getItems()).hasSize(1);
        assertThat(core.listNamespacedSecret("wandb").execute().getItems()).hasSize(1);
    }

    @Test
    void refusesToAdoptAJobThatBelongsToAnotherRun() throws Exception {
        batch.createNamespacedJob("wandb", new V1Job().apiVersion("batch/v1").kind("Job").metadata(
                new V1ObjectMeta().name("launch-k3x9p2aa").labels(Map.of(Labels.RUN_ID, "other")))).execute();

        assertThatThrownBy(() -> submitter.submit(seedRun())).isInstanceOf(LaunchException.class)
                .hasMessageContaining("Job wandb/launch-k3x9p2aa already exists and belongs to run other");
    }

    static Stream<Arguments> customKinds() {
        return Stream.of(
                Arguments.of("pytorchjob.yaml", "kubeflow.org", "v1", "pytorchjobs"),
                Arguments.of("volcano-job.yaml", "batch.volcano.sh", "v1alpha1", "jobs"),
                Arguments.of("jobset.yaml", "jobset.x-k8s.io", "v1alpha2", "jobsets"),
                Arguments.of("rayjob.yaml", "ray.io", "v1", "rayjobs"));
    }

    @ParameterizedTest(name = "{3}.{1}")
    @MethodSource("customKinds")
    void submitsCustomResourcesUnderThePluralDiscoveryReports(String file, String group, String version,
                                                              String plural) throws Exception {
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.customResource(file)), IMAGE);
        Submission s = submitter.submit(run);

        Object held = new CustomObjectsApi(cluster.apiClient())
                .getNamespacedCustomObject(group, version, "wandb", plural, "launch-k3x9p2aa").execute();
        ObjectNode tree = (ObjectNode) MAPPER.readTree(new JSON().serialize(held));
        assertThat(s.ref().plural()).isEqualTo(plural);
        assertThat(s.ref().kind()).isEqualTo(run.kind());
        assertThat(tree.at("/metadata/labels").path(Labels.RUN_ID).asText()).isEqualTo("k3x9p2aa");
        assertThat(tree.at("/metadata/annotations").path(Labels.QUEUE).asText()).isEqualTo("k8s-test");
        assertThat(tree.path("spec")).isEqualTo(numbersAsDoubles(run.manifest().path("spec")));
        V1Secret secret = core.readNamespacedSecret("wandb-api-key-k3x9p2aa", "wandb").execute();
        assertThat(secret.getMetadata().getOwnerReferences()).extracting(V1OwnerReference::getKind)
                .containsExactly(run.kind());
    }

    @Test
    void resubmittingACustomResourceAdoptsIt() {
        Job job = Fixtures.imageJob("k3x9p2aa", Fixtures.customResource("pytorchjob.yaml"));
        Submission first = submitter.submit(renderer.render(job, IMAGE));
        Submission second = submitter.submit(renderer.render(job, IMAGE));

        assertThat(second.adopted()).isTrue();
        assertThat(second.uid()).isEqualTo(first.uid());
    }

    @Test
    void refusesAKindTheClusterDoesNotServeNamingWhatItServes() {
        ObjectNode args = Fixtures.customResource("pytorchjob.yaml");
        args.put("kind", "MPIJob");

        assertThatThrownBy(() -> submitter.submit(renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE)))
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT))
                .hasMessageContaining("serves no kind 'MPIJob' in kubeflow.org/v1 (it serves PyTorchJob)");
    }

    @Test
    void reusesAnApiKeySecretWithTheSameDataWhoeverCreatedIt() throws Exception {
        core.createNamespacedSecret("wandb", secret("helm-chart", API_KEY)).execute();

        submitter.submit(seedRun());

        V1Secret held = core.readNamespacedSecret("wandb-api-key-k3x9p2aa", "wandb").execute();
        assertThat(held.getMetadata().getLabels()).containsEntry(Labels.CREATED_BY, "helm-chart");
    }

    @Test
    void recreatesTheAgentsOwnApiKeySecretWhenItsDataIsStale() throws Exception {
        core.createNamespacedSecret("wandb", secret("launch-agent", "old-key-0000")).execute();

        submitter.submit(seedRun());

        V1Secret held = core.readNamespacedSecret("wandb-api-key-k3x9p2aa", "wandb").execute();
        assertThat(new String(held.getData().get("password"), StandardCharsets.UTF_8)).isEqualTo(API_KEY);
    }

    @Test
    void refusesToOverwriteSomeoneElsesSecret() {
        try {
            core.createNamespacedSecret("wandb", secret("someone", "their-key-0000")).execute();
        } catch (ApiException e) {
            throw new AssertionError(e);
        }

        assertThatThrownBy(() -> submitter.submit(seedRun())).isInstanceOf(LaunchException.class)
                .hasMessageContaining("Secret wandb/wandb-api-key-k3x9p2aa already exists with other data and was "
                        + "not created by the launch agent (wandb.ai/created-by=someone)")
                .hasMessageNotContaining(API_KEY);
    }

    @Test
    void createsThePullSecretAndTheJobPullsWithIt() throws Exception {
        RegistryCredentials creds = new RegistryCredentials(IMAGE.registry(), "AWS", "ecr-token-0123456789",
                Instant.MAX);
        Submission s = submitter.submit(renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()),
                IMAGE, creds));

        V1Secret pull = core.readNamespacedSecret("regcred-k3x9p2aa", "wandb").execute();
        assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(pull.getMetadata().getOwnerReferences()).extracting(V1OwnerReference::getUid)
                .containsExactly(s.uid());
        assertThat(batch.readNamespacedJob("launch-k3x9p2aa", "wandb").execute().getSpec().getTemplate().getSpec()
                .getImagePullSecrets()).containsExactly(new V1LocalObjectReference().name("regcred-k3x9p2aa"));
        assertThat(s.secrets()).containsExactly("wandb-api-key-k3x9p2aa", "regcred-k3x9p2aa");
    }

    private static V1Secret secret(String createdBy, String key) {
        return new V1Secret().apiVersion("v1").kind("Secret").type("kubernetes.io/basic-auth")
                .metadata(new V1ObjectMeta().name("wandb-api-key-k3x9p2aa").namespace("wandb")
                        .labels(Map.of(Labels.CREATED_BY, createdBy)))
                .data(Map.of("password", key.getBytes(StandardCharsets.UTF_8)));
    }

    /** The official client reads untyped JSON through Gson, so integers come back as doubles. */
    private static com.fasterxml.jackson.databind.JsonNode numbersAsDoubles(com.fasterxml.jackson.databind.JsonNode n)
            throws Exception {
        Object viaGson = new JSON().deserialize(n.toString(), Object.class);
        return MAPPER.readTree(new JSON().serialize(viaGson));
    }

    @Test
    void aCreateStoredByAnAttemptWhoseAnswerWasLostIsAdoptedWhenLaterAttemptsFail() throws Exception {
        java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();
        okhttp3.Interceptor lossy = chain -> {
            okhttp3.Request req = chain.request();
            if (!"POST".equals(req.method()) || !req.url().encodedPath().endsWith("/jobs")) {
                return chain.proceed(req);
            }
            if (creates.incrementAndGet() == 1) {
                chain.proceed(req).close(); // stored by the server, but the answer never arrives
            }
            return new okhttp3.Response.Builder().request(req).protocol(okhttp3.Protocol.HTTP_1_1).code(504)
                    .message("Gateway Timeout").body(okhttp3.ResponseBody.create("{\"kind\":\"Status\","
                            + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":504}",
                            okhttp3.MediaType.get("application/json"))).build();
        };
        io.kubernetes.client.openapi.ApiClient client = new io.kubernetes.client.openapi.ApiClient()
                .setBasePath(cluster.url());
        client.setHttpClient(cluster.apiClient().getHttpClient().newBuilder().addInterceptor(lossy).build());
        KubeSubmitter flaky = new KubeSubmitter(client, new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), 3),
                masker);

        Submission s = flaky.submit(seedRun());

        assertThat(creates.get()).as("every create attempt was made").isEqualTo(3);
        assertThat(s.adopted()).isTrue();
        assertThat(s.uid()).isEqualTo(batch.readNamespacedJob("launch-k3x9p2aa", "wandb").execute().getMetadata()
                .getUid());
        assertThat(batch.listNamespacedJob("wandb").execute().getItems()).hasSize(1);
    }

    @Test
    void aCreateThatKeepsFailingAndWasNeverStoredStillFailsQuotingTheServer() {
        okhttp3.Interceptor down = chain -> {
            okhttp3.Request req = chain.request();
            if (!"POST".equals(req.method()) || !req.url().encodedPath().endsWith("/jobs")) {
                return chain.proceed(req);
            }
            return new okhttp3.Response.Builder().request(req).protocol(okhttp3.Protocol.HTTP_1_1).code(503)
                    .message("Service Unavailable").body(okhttp3.ResponseBody.create("{\"kind\":\"Status\","
                            + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"etcd is down\","
                            + "\"code\":503}", okhttp3.MediaType.get("application/json"))).build();
        };
        io.kubernetes.client.openapi.ApiClient client = new io.kubernetes.client.openapi.ApiClient()
                .setBasePath(cluster.url());
        client.setHttpClient(cluster.apiClient().getHttpClient().newBuilder().addInterceptor(down).build());
        KubeSubmitter flaky = new KubeSubmitter(client, new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), 3),
                masker);

        assertThatThrownBy(() -> flaky.submit(seedRun())).isInstanceOf(LaunchException.class)
                .hasMessageContaining("503").hasMessageContaining("launch-k3x9p2aa");
    }
}
