package dev.launchkit.builder.kaniko.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.builder.kaniko.KanikoBuilder;
import dev.launchkit.builder.kaniko.KanikoSettings;
import dev.launchkit.core.AgentListener;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.SecretMasker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** One builder under test: its cluster, context, listener and a background thread to run {@code build} on. */
final class BuildHarness implements AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    final InterimCluster cluster = new InterimCluster();
    final SecretMasker masker = new SecretMasker();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final List<String> logs = new CopyOnWriteArrayList<>();
    final Path tmp;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ExecutorService runner = Executors.newSingleThreadExecutor();
    private KanikoBuilder builder;

    BuildHarness(Path tmp) {
        this.tmp = tmp;
    }

    final RunListener listener = new RunListener() {
        @Override
        public void warning(String message) {
            warnings.add(message);
        }

        @Override
        public void log(String line) {
            logs.add(line);
        }
    };

    LaunchContext context(Map<String, String> env, Registry registry, Environment environment) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("HOME", tmp.toString());
        return new LaunchContext(Clock.systemUTC(), scheduler, all, masker, new AgentListener() { },
                Optional.ofNullable(environment), Optional.ofNullable(registry));
    }

    KanikoBuilder builder(String builderYaml, Map<String, String> env, Registry registry, Environment environment)
            throws Exception {
        LaunchContext ctx = context(env, registry, environment);
        ConfigNode config = ConfigNode.of(YAML.readTree(builderYaml), "launch-config.yaml").child("builder");
        KanikoSettings settings = KanikoSettings.from(config, ctx, tmp.resolve("no-namespace-file"));
        builder = KanikoBuilder.builder(settings, ctx).apiClient(cluster.client).build();
        return builder;
    }

    /** A code job: a directory with the given files. */
    Job codeJob(String runId, Map<String, String> files) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("code-" + runId));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.createDirectories(dir.resolve(f.getKey()).getParent());
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        return new Job("item-" + runId, "gpu-queue", "team", LaunchSpec.parse("{\"run_id\":\"" + runId + "\"}"),
                new JobSource.Code(dir, List.of("python", "train.py"), "", "", ""), runId, Map.of());
    }

    CompletableFuture<ImageRef> buildAsync(Job job) {
        return CompletableFuture.supplyAsync(() -> builder.build(job, listener), runner);
    }

    @Override
    public void close() {
        if (builder != null) {
            builder.close();
        }
        runner.shutdownNow();
        scheduler.shutdownNow();
        cluster.close();
    }
}
