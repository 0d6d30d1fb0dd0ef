package dev.launchkit.k8s.render;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.k8s.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CustomResourceRenderingTest {
    private final SecretMasker masker = new SecretMasker();
    private final ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV, masker);

    /** file, apiVersion, kind, number of pod templates, number of main containers. */
    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("pytorchjob.yaml", "kubeflow.org/v1", "PyTorchJob", 2, 2),
                Arguments.of("volcano-job.yaml", "batch.volcano.sh/v1alpha1", "Job", 2, 2),
                Arguments.of("jobset.yaml", "jobset.x-k8s.io/v1alpha2", "JobSet", 2, 2),
                Arguments.of("rayjob.yaml", "ray.io/v1", "RayJob", 2, 2));
    }

    private RenderedRun render(String file) {
        return renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.customResource(file)), IMAGE);
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("kinds")
    void rendersTheCustomResourceWithItsOwnApiVersionKindAndRunName(String file, String apiVersion, String kind,
                                                                      int templates, int containers) {
        RenderedRun run = render(file);

        assertThat(run.isBatchJob()).isFalse();
        assertThat(run.apiVersion()).isEqualTo(apiVersion);
        assertThat(run.kind()).isEqualTo(kind);
        assertThat(run.name()).isEqualTo("launch-k3x9p2aa");
        assertThat(run.namespace()).isEqualTo("wandb");
        assertThat(run.manifest().path("metadata").path("labels").path(Labels.RUN_ID).asText()).isEqualTo("k3x9p2aa");
        assertThat(run.manifest().path("metadata").path("labels").path(Labels.OWNER).asText()).isEqualTo("launch-agent");
        assertThat(run.manifest().path("metadata").path("annotations").path(Labels.ITEM_ID).asText())
                .isEqualTo("UnVuUXVldWVJdGVtOjQ1Njc4");
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("kinds")
    void labelsEveryPodTemplateFound(String file, String apiVersion, String kind, int templates, int containers) {
        List<PodSpecs.Site> sites = PodSpecs.find(render(file).manifest());

        assertThat(sites).hasSize(templates);
        assertThat(sites).allSatisfy(site -> {
            JsonNode labels = site.template().orElseThrow().path("metadata").path("labels");
            assertThat(labels.path(Labels.MONITOR).asText()).isEqualTo("true");
            assertThat(labels.path(Labels.RUN_ID).asText()).isEqualTo("k3x9p2aa");
            assertThat(labels.path(Labels.OWNER).asText()).isEqualTo("launch-agent");
            assertThat(labels.path(Labels.AGENT).asText()).isEqualTo("agent-7f3c");
        });
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("kinds")
    void givesEveryContainerTheEnvImageAndSecurityContext(String file, String apiVersion, String kind, int templates,
                                                         int containers) {
        List<ObjectNode> all = containers(render(file));

        assertThat(all).hasSize(containers);
        assertThat(all).allSatisfy(c -> {
            assertThat(c.path("image").asText()).isEqualTo(IMAGE.toString());
            assertThat(c.path("securityContext")).isEqualTo(ManifestRenderer.restrictedContext());
            assertThat(envNames(c)).contains("WANDB_BASE_URL", "WANDB_API_KEY", "WANDB_PROJECT",
                    "WANDB_LAUNCH_QUEUE_NAME");
            JsonNode key = env(c, "WANDB_API_KEY");
            assertThat(key.has("value")).isFalse();
            assertThat(key.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("wandb-api-key-k3x9p2aa");
        });
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("kinds")
    void givesWandbRunIdToTheFirstContainerOnlyAsW_BDoes(String file, String apiVersion, String kind, int templates,
                                                        int containers) {
        List<ObjectNode> all = containers(render(file));

        assertThat(envNames(all.get(0))).contains("WANDB_RUN_ID");
        assertThat(all.subList(1, all.size())).allSatisfy(c -> assertThat(envNames(c)).doesNotContain("WANDB_RUN_ID"));
    }

    @Test
    void substitutesTheImageMacroInCustomResources() {
        ObjectNode master = (ObjectNode) render("pytorchjob.yaml").manifest()
                .at("/spec/pytorchReplicaSpecs/Master/template/spec/containers/0");

        assertThat(master.path("image").asText()).isEqualTo(IMAGE.toString());
        assertThat(master.at("/resources/limits/nvidia.com~1gpu").asText()).isEqualTo("1");
    }

    @Test
    void keepsQueueLabelsOnTheObjectAndItsPodTemplates() {
        ObjectNode manifest = render("pytorchjob.yaml").manifest();

        assertThat(manifest.at("/metadata/labels/team").asText()).isEqualTo("vision");
        assertThat(manifest.at("/spec/pytorchReplicaSpecs/Worker/template/metadata/labels/role").asText())
                .isEqualTo("worker");
    }

    @Test
    void appliesTheWandbGroupAndVersionKeysToTheApiVersion() {
        ObjectNode args = Fixtures.customResource("pytorchjob.yaml");
        args.put("version", "v2");
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE);

        assertThat(run.apiVersion()).isEqualTo("kubeflow.org/v2");
        assertThat(run.manifest().has("version")).isFalse();
    }

    @Test
    void refusesACustomResourceWhosePodTemplateHasAnUnknownField() {
        ObjectNode args = Fixtures.customResource("rayjob.yaml");
        ((ObjectNode) args.at("/spec/rayClusterSpec/headGroupSpec/template/spec")).put("hostnetwork", true);

        assertThatThrownBy(() -> renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("spec.rayClusterSpec.headGroupSpec.template")
                .hasMessageContaining("hostnetwork");
    }

    @Test
    void refusesACustomResourceWithoutKind() {
        assertThatThrownBy(() -> renderer.render(Fixtures.imageJob("k3x9p2aa",
                Fixtures.yaml("apiVersion: kubeflow.org/v1")), IMAGE))
                .isInstanceOf(LaunchException.class).hasMessageContaining("resource_args.kubernetes.kind is required");
    }

    static List<ObjectNode> containers(RenderedRun run) {
        List<ObjectNode> out = new ArrayList<>();
        PodSpecs.find(run.manifest()).forEach(s -> out.addAll(s.containers()));
        return out;
    }

    static List<String> envNames(JsonNode container) {
        List<String> out = new ArrayList<>();
        container.path("env").forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no env " + name + " in " + container);
    }
}
