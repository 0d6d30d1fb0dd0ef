package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.launchkit.k8s.monitor.KubernetesRunMonitor;
import dev.launchkit.k8s.monitor.MonitorSettings;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One builder under test against the testkit's {@link SimulatedCluster}: its context, listener, a background thread
 * to run {@code build} on, and checks that run while the build is in flight.
 *
 * <p>The simulated kubelet plays the Kaniko pod as the pod template's {@code sim.launchkit.dev/scenario}
 * annotation says (tests put it in {@code builder.kaniko-config}, which the builder merges into its Job).
 */
final class BuildHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CREATED = "build: created Kaniko Job ";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    final SimulatedCluster cluster = SimulatedCluster.start();
    final BatchV1Api batch = new BatchV1Api(cluster.apiClient());
    final CoreV1Api core = new CoreV1Api(cluster.apiClient());
    final SecretMasker masker = new SecretMasker();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final List<String> logs = new CopyOnWriteArrayList<>();
    /** Each build Job as the API server had it right after the builder created it, by name. */
    final Map<String, V1Job> created = new ConcurrentHashMap<>();
    final Path tmp;
    private final List<DuringBuild> duringBuild = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ExecutorService runner = Executors.newSingleThreadExecutor();
    private KanikoBuilder builder;
    private KubernetesRunMonitor monitor;

    BuildHarness(Path tmp) {
        this.tmp = tmp;
    }

    /** A check of the cluster and the staged context while a build is in flight. */
    interface DuringBuild {
        void check(V1Job job) throws Exception;
    }

    /** A condition polled until it holds. */
    interface Check {
        boolean ok() throws Exception;
    }

    final RunListener listener = new RunListener() {
        @Override
        public void warning(String message) {
            warnings.add(message);
        }

        @Override
        public void log(String line) {
            logs.add(line);
            if (line.startsWith(CREATED)) {
                jobCreated(line.substring(CREATED.length()).trim());
            }
        }
    };

    /**
     * Runs {@code check} on the build thread right after the builder created the Kaniko Job and before it waits for
     * it: the context is staged, the credential objects exist, nothing is cleaned up yet. A failing check fails the
     * build with the check's error.
     */
    void duringBuild(DuringBuild check) {
        duringBuild.add(check);
    }

    /**
     * A {@code builder} block whose {@code kaniko-config} scripts the simulated Kaniko pod through pod-template
     * annotations: its {@value SimulatedCluster#SCENARIO_ANNOTATION} ({@code succeed}, {@code fail}, ...) and
     * {@value SimulatedCluster#LOG_ANNOTATION} (its log). The builder merges them into its Job like any user
     * setting; {@code containerLimits} adds a resource limit to show that merge too.
     */
    static String scriptedBuilder(String scenario, String log, Map<String, String> containerLimits) {
        ObjectNode root = YAML.createObjectNode();
        ObjectNode builder = root.putObject("builder").put("type", "kaniko");
        ObjectNode template = builder.putObject("kaniko-config").putObject("spec").putObject("template");
        template.putObject("metadata").putObject("annotations")
                .put(SimulatedCluster.SCENARIO_ANNOTATION, scenario).put(SimulatedCluster.LOG_ANNOTATION, log);
        if (!containerLimits.isEmpty()) {
            ObjectNode limits = template.putObject("spec").putArray("containers").addObject()
                    .putObject("resources").putObject("limits");
            containerLimits.forEach(limits::put);
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Makes the Kaniko pod's log {@code text} without putting it into the Job (for logs that must not be there,
     * such as a leaked password): set through the cluster once the pod exists.
     */
    void kanikoLog(String text) {
        duringBuild(job -> {
            String ns = job.getMetadata().getNamespace();
            String name = job.getMetadata().getName();
            V1Pod[] pod = new V1Pod[1];
            await(() -> {
                List<V1Pod> pods = core.listNamespacedPod(ns).labelSelector("job-name=" + name).execute().getItems();
                pod[0] = pods.isEmpty() ? null : pods.get(0);
                return pod[0] != null;
            }, "the pod of build Job " + ns + "/" + name);
            cluster.setLog(ns, pod[0].getMetadata().getName(), text);
        });
    }

    private void jobCreated(String ref) {
        String ns = ref.substring(0, ref.indexOf('/'));
        String name = ref.substring(ref.indexOf('/') + 1);
        try {
            V1Job job = batch.readNamespacedJob(name, ns).execute();
            created.put(name, job);
            for (DuringBuild check : duringBuild) {
                check.check(job);
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("check during the build of " + ref + " failed: " + e, e);
        }
    }

    LaunchContext context(Map<String, String> env, Registry registry, Environment environment) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("HOME", tmp.toString());
        return new LaunchContext(Clock.systemUTC(), scheduler, all, masker, new AgentListener() { },
                Optional.ofNullable(environment), Optional.ofNullable(registry));
    }

    KanikoBuilder builder(String builderYaml, Map<String, String> env, Registry registry, Environment environment)
            throws Exception {
        return builder(builderYaml, env, registry, environment, Optional.empty());
    }

    /** A builder whose build Jobs are followed by a monitor with {@code monitorSettings} (closed with the harness). */
    KanikoBuilder builder(String builderYaml, Map<String, String> env, Registry registry, Environment environment,
                          MonitorSettings monitorSettings) throws Exception {
        return builder(builderYaml, env, registry, environment, Optional.of(monitorSettings));
    }

    private KanikoBuilder builder(String builderYaml, Map<String, String> env, Registry registry,
                                  Environment environment, Optional<MonitorSettings> monitorSettings) throws Exception {
        LaunchContext ctx = context(env, registry, environment);
        ConfigNode config = ConfigNode.of(YAML.readTree(builderYaml), "launch-config.yaml").child("builder");
        KanikoSettings settings = KanikoSettings.from(config, ctx, tmp.resolve("no-namespace-file"));
        KanikoBuilder.Setup setup = KanikoBuilder.builder(settings, ctx).apiClient(cluster.apiClient());
        if (monitorSettings.isPresent()) {
            monitor = KubernetesRunMonitor.builder(cluster.apiClient(), ctx).owner(settings.owner())
                    .settings(monitorSettings.get()).build();
            setup.monitor(monitor);
        }
        builder = setup.build();
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

    ImageRef build(Job job) throws Exception {
        return buildAsync(job).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The Job the builder created for {@code runId}, as it was created. */
    V1Job createdJob(String runId) {
        V1Job job = created.get(jobName(runId));
        if (job == null) {
            throw new AssertionError("no build Job was created for run " + runId + "; created: " + created.keySet());
        }
        return job;
    }

    static String jobName(String runId) {
        return "wandb-launch-container-build-" + runId;
    }

    static V1Container container(V1Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    boolean jobGone(String namespace, String runId) throws ApiException {
        try {
            batch.readNamespacedJob(jobName(runId), namespace).execute();
            return false;
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return true;
            }
            throw e;
        }
    }

    /**
     * Waits until the build Job of {@code runId} is gone along with its pods: the simulated garbage collector
     * deletes them only when the Job was deleted with a propagation policy other than Orphan.
     */
    void awaitJobAndPodsGone(String namespace, String runId) throws Exception {
        assertThat(jobGone(namespace, runId)).as("build Job " + jobName(runId) + " deleted").isTrue();
        await(() -> core.listNamespacedPod(namespace).labelSelector("job-name=" + jobName(runId)).execute()
                .getItems().isEmpty(), "the pods of " + jobName(runId) + " to be garbage-collected with their Job");
    }

    /** Polls {@code check} until it holds, failing after {@link #WAIT}. */
    static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20); // poll interval, bounded by the deadline
        }
    }

    @Override
    public void close() {
        if (builder != null) {
            builder.close();
        }
        if (monitor != null) {
            monitor.close();
        }
        runner.shutdownNow();
        scheduler.shutdownNow();
        cluster.close();
    }
}
