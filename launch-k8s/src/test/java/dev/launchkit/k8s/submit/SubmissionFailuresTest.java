package dev.launchkit.k8s.submit;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.k8s.render.Fixtures;
import dev.launchkit.k8s.render.ManifestRenderer;
import dev.launchkit.k8s.render.RenderedRun;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How submission meets a server that refuses or stumbles: retries, RBAC and validation errors quoted, cleanup. The
 * faults are recorded responses of a real HTTP API server ({@link FaultInjectingApiServer}).
 */
class SubmissionFailuresTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JOBS = "/apis/batch/v1/namespaces/wandb/jobs";
    private final FaultInjectingApiServer cluster = new FaultInjectingApiServer();
    private final SecretMasker masker = new SecretMasker();
    private final ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV, masker);
    private final KubeSubmitter submitter = new KubeSubmitter(cluster.client,
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), 4), masker);
    private final BatchV1Api batch = new BatchV1Api(cluster.client);
    private final CoreV1Api core = new CoreV1Api(cluster.client);

    @AfterEach
    void stop() {
        cluster.close();
    }

    private RenderedRun seedRun() {
        return renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE);
    }

    @Test
    void retriesTransientFailuresAndThenCreates() throws Exception {
        cluster.server.expect().post().withPath(JOBS).andReturn(503, status(503, "etcd leader changed").toString()).once();
        cluster.server.expect().post().withPath(JOBS).andReturn(429, status(429, "too many requests").toString())
                .withHeader("Retry-After", "0").once();

        Submission s = submitter.submit(seedRun());

        assertThat(batch.readNamespacedJob("launch-k3x9p2aa", "wandb").execute().getMetadata().getUid())
                .isEqualTo(s.uid());
    }

    @Test
    void givesUpAfterTheConfiguredAttemptsQuotingTheServer() {
        cluster.server.expect().post().withPath(JOBS).andReturn(500, status(500, "internal error").toString()).always();

        assertThatThrownBy(() -> submitter.submit(seedRun())).isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.RUN))
                .hasMessageContaining("could not create jobs.batch wandb/launch-k3x9p2aa (HTTP 500: internal error)");
    }

    @Test
    void namesTheMissingRbacRuleOn403AndRemovesTheSecretItCreated() {
        cluster.server.expect().post().withPath(JOBS).andReturn(403, status(403, "jobs.batch is forbidden: User "
                + "\"system:serviceaccount:wandb:launch\" cannot create resource \"jobs\" in API group \"batch\" in "
                + "the namespace \"wandb\"").toString()).always();

        assertThatThrownBy(() -> submitter.submit(seedRun())).isInstanceOf(LaunchException.class)
                .hasMessageContaining("403 Forbidden: jobs.batch is forbidden")
                .hasMessageContaining("lacks the RBAC verb 'create' on 'jobs.batch' in namespace 'wandb'");
        assertThatThrownBy(() -> core.readNamespacedSecret("wandb-api-key-k3x9p2aa", "wandb").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void namesTheInvalidFieldsOn422() {
        ObjectNode body = status(422, "Job.batch \"launch-k3x9p2aa\" is invalid");
        body.putObject("details").putArray("causes").addObject()
                .put("field", "spec.template.spec.containers[0].resources.requests")
                .put("message", "Invalid value: \"1Gi\": must be less than or equal to memory limit");
        cluster.server.expect().post().withPath(JOBS).andReturn(422, body.toString()).always();

        assertThatThrownBy(() -> submitter.submit(seedRun())).isInstanceOf(LaunchException.class)
                .hasMessageContaining("422 Invalid: Job.batch \"launch-k3x9p2aa\" is invalid")
                .hasMessageContaining("spec.template.spec.containers[0].resources.requests: Invalid value");
    }

    @Test
    void refusesAClusterScopedKind() {
        cluster.serve("example.dev/v1", "Cluster", "clusters", false);
        ObjectNode args = Fixtures.yaml("{apiVersion: example.dev/v1, kind: Cluster, spec: {size: 1}}");

        assertThatThrownBy(() -> submitter.submit(renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("is cluster-scoped");
    }

    private static ObjectNode status(int code, String message) {
        return MAPPER.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("message", message).put("code", code);
    }
}
