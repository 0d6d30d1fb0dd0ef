package dev.launchkit.k8s.render;

import static dev.launchkit.k8s.render.Fixtures.API_KEY;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static dev.launchkit.k8s.render.Fixtures.SPEC_API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.k8s.Labels;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SecretsRenderingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final RegistryCredentials CREDS = new RegistryCredentials(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com", "AWS", "ecr-token-abcdef0123456789", Instant.MAX);
    private final SecretMasker masker = new SecretMasker();
    private final ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV, masker);

    static Stream<String> everyShape() {
        return Stream.of("queue-k8s-job.yaml", "pytorchjob.yaml", "volcano-job.yaml", "jobset.yaml", "rayjob.yaml");
    }

    private static ObjectNode config(String file) {
        return file.startsWith("queue-") ? Fixtures.seedQueueConfig() : Fixtures.customResource(file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyShape")
    void theApiKeyAppearsNowhereAsAPlainValueInAnyObjectButItsSecret(String file) throws Exception {
        ObjectNode args = config(file);
        // A queue that tries to set the key itself (the ${WANDB_API_KEY} macro is refused outright, see MacrosTest).
        ObjectNode env = args.objectNode().put("name", "WANDB_API_KEY").put("value", API_KEY);
        PodSpecs.find(args).forEach(s -> s.containers().forEach(c -> ((com.fasterxml.jackson.databind.node.ArrayNode)
                JsonTrees.array(c, "env")).add(env.deepCopy())));
        if (PodSpecs.find(args).isEmpty()) {
            throw new AssertionError("fixture without pod templates: " + file);
        }
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE, CREDS);

        String b64 = Base64.getEncoder().encodeToString(API_KEY.getBytes(StandardCharsets.UTF_8));
        for (Object o : run.objects()) {
            // Through Jackson: Gson escapes '=' of base64 as \u003d.
            String json = MAPPER.readTree(new JSON().serialize(o)).toString();
            if (o instanceof V1Secret s && s.getMetadata().getName().startsWith("wandb-api-key-")) {
                assertThat(json).doesNotContain(API_KEY).contains(b64);
            } else {
                assertThat(json).doesNotContain(API_KEY).doesNotContain(b64);
            }
        }
        String yaml = run.toYaml(masker);
        assertThat(yaml).doesNotContain(API_KEY).doesNotContain(b64).doesNotContain(CREDS.password())
                .doesNotContain(CREDS.basicAuth()).contains("****");
    }

    @Test
    void usesThePerRunKeyOfTheSpecInsteadOfTheAgentsAndMasksIt() {
        Job job = Fixtures.job("k3x9p2aa", Fixtures.seedQueueConfig(),
                MAPPER.createObjectNode().put("_wandb_api_key", SPEC_API_KEY));
        RenderedRun run = renderer.render(job, IMAGE);

        V1Secret secret = run.secrets().get(0).secret();
        assertThat(new String(secret.getData().get("password"), StandardCharsets.UTF_8)).isEqualTo(SPEC_API_KEY);
        assertThat(masker.mask("key=" + SPEC_API_KEY)).isEqualTo("key=****");
        assertThat(run.manifest().toString()).doesNotContain(SPEC_API_KEY).doesNotContain("WANDB_USERNAME");
    }

    @Test
    void rendersThePerRunApiKeySecretAsW_BDoes() {
        RenderedSecret s = renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE)
                .secrets().get(0);

        assertThat(s.purpose()).isEqualTo(RenderedSecret.Purpose.API_KEY);
        assertThat(s.perRun()).isTrue();
        assertThat(s.secret().getType()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(s.secret().getMetadata().getName()).isEqualTo("wandb-api-key-k3x9p2aa");
        assertThat(s.secret().getMetadata().getNamespace()).isEqualTo("wandb");
        assertThat(s.secret().getMetadata().getLabels()).containsEntry(Labels.CREATED_BY, "launch-agent")
                .containsEntry(Labels.RUN_ID, "k3x9p2aa");
    }

    @Test
    void readsTheKeyFromTheReleaseSecretWhenWandbReleaseNameIsSet() {
        ManifestRenderer helm = new ManifestRenderer(Fixtures.settings().withReleaseName("launch"), Fixtures.AGENT_ENV,
                masker);
        RenderedRun run = helm.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE);

        assertThat(run.secrets()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("wandb-api-key-launch");
            assertThat(s.perRun()).isFalse();
        });
        assertThat(run.manifest().toString()).contains("\"secretKeyRef\":{\"name\":\"wandb-api-key-launch\"");
    }

    @Test
    void givesARunWithItsOwnKeyItsOwnSecretEvenUnderAHelmRelease() {
        ManifestRenderer helm = new ManifestRenderer(Fixtures.settings().withReleaseName("launch"), Fixtures.AGENT_ENV,
                masker);
        Job job = Fixtures.job("k3x9p2aa", Fixtures.seedQueueConfig(),
                MAPPER.createObjectNode().put("_wandb_api_key", SPEC_API_KEY));

        assertThat(helm.render(job, IMAGE).secrets()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("wandb-api-key-k3x9p2aa");
            assertThat(s.perRun()).isTrue();
        });
    }

    @Test
    void rendersNoApiKeySecretWhenThereIsNoKey() {
        ManifestRenderer keyless = new ManifestRenderer(Fixtures.settings(), java.util.Map.of(), masker);
        RenderedRun run = keyless.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE);

        assertThat(run.secrets()).isEmpty();
        assertThat(run.manifest().toString()).doesNotContain("WANDB_API_KEY");
    }

    @Test
    void rendersThePullSecretAndAppendsItToTheQueuesImagePullSecrets() {
        ObjectNode args = Fixtures.yaml("spec: {template: {spec: {imagePullSecrets: [{name: team-pull}]}}}");
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE, CREDS);

        RenderedSecret pull = run.secrets().get(1);
        assertThat(pull.purpose()).isEqualTo(RenderedSecret.Purpose.IMAGE_PULL);
        assertThat(pull.name()).isEqualTo("regcred-k3x9p2aa");
        assertThat(pull.secret().getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        String config = new String(pull.secret().getData().get(".dockerconfigjson"), StandardCharsets.UTF_8);
        assertThat(config).contains("\"123456789012.dkr.ecr.us-east-1.amazonaws.com\"").contains(CREDS.basicAuth());
        assertThat(run.batchJob().orElseThrow().getSpec().getTemplate().getSpec().getImagePullSecrets())
                .containsExactly(new V1LocalObjectReference().name("team-pull"),
                        new V1LocalObjectReference().name("regcred-k3x9p2aa"));
    }

    @Test
    void addsThePullSecretToEveryPodTemplateOfACustomResource() {
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.customResource("jobset.yaml")), IMAGE,
                CREDS);

        assertThat(PodSpecs.find(run.manifest())).hasSize(2).allSatisfy(s -> assertThat(
                s.spec().path("imagePullSecrets").toString()).isEqualTo("[{\"name\":\"regcred-k3x9p2aa\"}]"));
    }

    @Test
    void masksSecretValuesInTheYaml() {
        RenderedRun run = renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE, CREDS);

        String yaml = run.toYaml(masker);
        assertThat(yaml).contains("password: '****'").contains("dockerconfigjson\": '****'").doesNotContain("ownerReferences: []")
                .contains("kind: Job").contains("name: launch-k3x9p2aa");
        assertThat(yaml.split("(?m)^---$")).hasSize(4);
        assertThat(run.objects()).hasSize(3);
        assertThat(List.of(run.objects().get(0), run.objects().get(1))).allMatch(V1Secret.class::isInstance);
    }
}
