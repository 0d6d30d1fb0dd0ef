package dev.launchkit.examples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueJobs;
import dev.launchkit.k8s.KubernetesRunner;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent render}: prints, as multi-document YAML with secrets masked, exactly the objects the kubernetes
 * runner would create for a launch spec on a queue — through the runner's own {@code render}, the code path
 * {@code submit} uses. Refused input: exit code 2 and the reason on stderr.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print the Kubernetes objects a launch spec would produce on a queue config, without submitting.")
final class RenderCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, description = "The launch spec (runSpec) as JSON or YAML.")
    Path spec;
    @Option(names = "--queue-config", required = true, description = "The queue's Kubernetes resource config (YAML/JSON).")
    Path queueConfig;
    @Option(names = "--image", description = "The image to run (default: the spec's docker image).")
    String image;
    @Option(names = {"-c", "--config"}, description = "launch-config.yaml (for runner settings).")
    Path config;
    @Option(names = "--allow-namespace", description = "A namespace runs may go to (repeatable).")
    List<String> allowNamespaces = new ArrayList<>();
    @Option(names = "--agent-namespace", defaultValue = "default", description = "The agent's own namespace (default ${DEFAULT-VALUE}).")
    String agentNamespace;

    @Override
    public Integer call() {
        try {
            System.out.print(render());
            return 0;
        } catch (LaunchException | ConfigException | IllegalArgumentException e) {
            System.err.println("launch-agent render: refused: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("launch-agent render: " + e.getMessage());
            return 1;
        }
    }

    private String render() throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        LaunchContext ctx = LaunchContext.basic(env);
        ConfigNode runnerBlock = config == null ? ConfigNode.empty("render")
                : LaunchConfig.load(config, env).runner("kubernetes");
        ObjectNode block = runnerBlock.object();
        if (!allowNamespaces.isEmpty()) {
            ArrayNode targets = block.has("additional_target_namespaces")
                    ? (ArrayNode) block.get("additional_target_namespaces") : block.putArray("additional_target_namespaces");
            allowNamespaces.forEach(targets::add);
        }
        ConfigNode queue = QueueConfigCheck.read(queueConfig);
        LaunchSpec item = LaunchSpec.fromNode(QueueConfigCheck.read(spec).json());
        LaunchSpec merged = QueueDefinition.of("render", "kubernetes", queue.object()).merge(item, Map.of()).spec();
        Job job = QueueJobs.create("render", "render", merged.entity().orElse(""), merged, "", new Random(), Map.of());
        ImageRef ref = image != null ? ImageRef.parse(image) : job.source() instanceof JobSource.Image i ? i.image()
                : null;
        if (ref == null) {
            throw new IllegalArgumentException("the spec names no image: pass --image REF (the image a builder would produce)");
        }
        // No API call is made: rendering needs no cluster, so the client points nowhere.
        KubernetesRunner runner = KubernetesRunner.builder(ctx)
                .config(ConfigNode.of(block, config == null ? "render" : config.getFileName().toString()))
                .apiClient(new ApiClient().setBasePath("http://127.0.0.1:9")).agentNamespace(agentNamespace).build();
        try {
            return runner.render(job, ref).toYaml(ctx.masker());
        } finally {
            runner.close();
        }
    }

}
