package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** Jobs, queue configs and images for rendering and submission tests. */
public final class Fixtures {
    public static final String API_KEY = "wandb-secret-key-0123456789abcdef0123456789abcdef";
    public static final String SPEC_API_KEY = "per-run-key-fedcba9876543210fedcba9876543210";
    public static final ImageRef IMAGE = ImageRef.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/launch-images:3f9a1c0b");
    public static final Map<String, String> AGENT_ENV = Map.of(
            "WANDB_API_KEY", API_KEY,
            "WANDB_BASE_URL", "https://api.wandb.example",
            "DATA_BUCKET", "s3://training-data",
            "AWS_SECRET_ACCESS_KEY", "aws-secret-value-0123456789");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private Fixtures() {
    }

    /** The seed's queue config for queue k8s-test (launch-testkit). */
    public static ObjectNode seedQueueConfig() {
        return yamlResource("/dev/launchkit/testkit/seed/queue-k8s-job.yaml");
    }

    /** A custom resource fragment from src/test/resources/dev/launchkit/k8s/render/crs. */
    public static ObjectNode customResource(String file) {
        return yamlResource("/dev/launchkit/k8s/render/crs/" + file);
    }

    public static ObjectNode yaml(String text) {
        try {
            return (ObjectNode) YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode yamlResource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + path + " is missing");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image job on queue k8s-test with the given Kubernetes resource args. */
    public static Job imageJob(String runId, JsonNode kubernetesArgs) {
        return job(runId, kubernetesArgs, JSON.createObjectNode());
    }

    /** An image job with extra top-level spec fields (overrides, _wandb_api_key, ...). */
    public static Job job(String runId, JsonNode kubernetesArgs, ObjectNode extraSpec) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("entity", "my-team");
        spec.put("project", "Vision");
        spec.put("author", "alice");
        spec.put("name", "resnet-lr-sweep-3");
        spec.putObject("docker").put("docker_image", IMAGE.toString());
        spec.put("resource", "kubernetes");
        spec.putObject("resource_args").set("kubernetes", kubernetesArgs.deepCopy());
        spec.put("run_id", runId);
        spec.setAll(extraSpec);
        LaunchSpec launchSpec = LaunchSpec.of(spec);
        return new Job("UnVuUXVldWVJdGVtOjQ1Njc4", "k8s-test", "my-team", launchSpec,
                JobSource.fromSpec(launchSpec), runId, Map.of());
    }

    /** The rules of an agent in namespace wandb whose chart also targets default (the seed's values.yaml). */
    public static NamespaceRules seedNamespaces() {
        return NamespaceRules.of("wandb", java.util.List.of("default", "wandb"));
    }

    public static RenderSettings settings() {
        return RenderSettings.of("agent-7f3c", "launch-agent", seedNamespaces());
    }
}
