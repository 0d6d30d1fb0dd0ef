package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code launch-agent run} against the simulated cluster with RBAC on: a reduced Role is reported rule by rule before
 * the first job, and stops the agent unless {@code --rbac-check warn}.
 */
class RunCommandRbacTest {
    private static final List<String> ALL = List.of("create", "get", "list", "watch", "patch", "delete");
    private SimulatedCluster cluster;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        cluster = SimulatedCluster.start();
        cluster.createNamespace("wandb");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static V1PolicyRule rule(String group, String resource, List<String> verbs) {
        return new V1PolicyRule().apiGroups(List.of(group)).resources(List.of(resource)).verbs(verbs);
    }

    /** The agent's Role in {@code wandb} without {@code delete} on {@code batch/jobs}. */
    private void reducedRole() throws Exception {
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(cluster.apiClient());
        rbac.createNamespacedRole("wandb", new V1Role().apiVersion("rbac.authorization.k8s.io/v1").kind("Role")
                .metadata(new V1ObjectMeta().name("agent").namespace("wandb")).rules(List.of(
                        rule("", "pods", List.of("get", "list", "watch")), rule("", "pods/log", List.of("get")),
                        rule("", "secrets", ALL),
                        rule("batch", "jobs", List.of("create", "get", "list", "watch", "patch"))))).execute();
        rbac.createNamespacedRoleBinding("wandb", new V1RoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("RoleBinding").metadata(new V1ObjectMeta().name("agent").namespace("wandb"))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("agent"))
                .subjects(List.of(new RbacV1Subject().kind("ServiceAccount").name("launch-agent").namespace("wandb"))))
                .execute();
        cluster.rbac().authenticateAs("system:serviceaccount:wandb:launch-agent");
    }

    /** A launch-config with a directory queue and the kubernetes runner on the simulated cluster. */
    private Path config() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, cluster.kubeconfig("sim", "default"));
        Path nsFile = dir.resolve("namespace");
        Files.writeString(nsFile, "wandb");
        Path queues = dir.resolve("queues");
        new DirectoryQueues(queues).upsert(QueueDefinition.of("k8s-test", "kubernetes",
                JsonNodeFactory.instance.objectNode()));
        Path file = dir.resolve("launch-config.yaml");
        Files.writeString(file, "queues: [k8s-test]\nqueue_backend:\n  type: directory\n  path: " + queues + "\n"
                + "runners:\n  kubernetes:\n    service_account_namespace_file: " + nsFile + "\n");
        return file;
    }

    private record Result(int code, String out, String err) {
    }

    /** Runs the command on a thread; {@code until}, given stderr so far, decides when to interrupt it (the agent then shuts down). */
    private Result run(Duration timeout, java.util.function.Predicate<String> until, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(LaunchAgentCli.execute(args)), "run-command-under-test");
        try {
            t.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (t.isAlive() && System.nanoTime() < deadline && !until.test(err.toString(StandardCharsets.UTF_8))) {
                Thread.sleep(25);
            }
            if (t.isAlive()) {
                t.interrupt();
            }
            t.join(Duration.ofSeconds(40).toMillis());
            assertThat(t.isAlive()).as("run command did not stop").isFalse();
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        return new Result(code.get(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private boolean jobCreated() {
        try {
            return !new BatchV1Api(cluster.apiClient()).listNamespacedJob("wandb").execute().getItems().isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void reducedRoleStopsTheAgentBeforeTheFirstJobNamingTheMissingRule() throws Exception {
        reducedRole();
        Path config = config();
        new DirectoryQueues(dir.resolve("queues")).push("k8s-test",
                LaunchSpec.parse("{\"docker\":{\"docker_image\":\"python:3.11\"}}"), Priority.MEDIUM, Map.of());

        Path log = dir.resolve("agent.log");
        Result r = run(Duration.ofSeconds(60), e -> false, "run", "-c", config.toString(), "--kubeconfig",
                dir.resolve("kubeconfig").toString(), "--ops-port", "-1", "-l", log.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(RunCommand.EXIT_RBAC);
        assertThat(Files.readString(log)).as("the log file (-l) has the report too")
                .contains("ERROR").contains("RBAC self-check: 1 of 13 permissions missing")
                .contains("resources: [\"jobs\"], verbs: [\"delete\"]");
        assertThat(r.err()).contains("1 RBAC permissions missing, not starting")
                .contains("missing RBAC rule: namespace wandb: {apiGroups: [\"batch\"], resources: [\"jobs\"], "
                        + "verbs: [\"delete\"]}")
                .contains("--rbac-check warn");
        assertThat(jobCreated()).as("no job was taken").isFalse();
        assertThat(new DirectoryQueues(dir.resolve("queues")).pending("k8s-test")).hasSize(1);
    }

    @Test
    void warnModeReportsTheMissingRuleAndRunsJobs() throws Exception {
        reducedRole();
        Path config = config();
        new DirectoryQueues(dir.resolve("queues")).push("k8s-test",
                LaunchSpec.parse("{\"docker\":{\"docker_image\":\"python:3.11\"}}"), Priority.MEDIUM, Map.of());

        Result r = run(Duration.ofSeconds(60), e -> jobCreated(), "run", "-c", config.toString(), "--kubeconfig",
                dir.resolve("kubeconfig").toString(), "--ops-port", "-1", "--rbac-check", "warn");

        assertThat(r.err()).contains("warning: 1 RBAC permissions missing")
                .contains("resources: [\"jobs\"], verbs: [\"delete\"]");
        assertThat(jobCreated()).isTrue();
    }

    @Test
    void urlFlagIsRefusedAsWandbDoes() throws Exception {
        Result r = run(Duration.ofSeconds(30), e -> false, "run", "-u", "https://api.wandb.ai", "--ops-port", "-1");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--url is not supported").contains("WANDB_BASE_URL");
    }

    @Test
    void unwritableLogFileIsRefusedNamingTheFlag() throws Exception {
        Result r = run(Duration.ofSeconds(30), e -> false, "run", "-l", dir.resolve("no/such/dir/agent.log").toString(),
                "--ops-port", "-1");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--log-file: cannot write");
    }

    @Test
    void unreachableApiServerOnlyWarnsSoTheCheckNeverKeepsAWorkingAgentDown() throws Exception {
        Path config = config();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(dir.resolve("kubeconfig"), cluster.kubeconfig("sim", "default")
                .replace(cluster.url(), "http://127.0.0.1:" + closedPort));

        Result r = run(Duration.ofSeconds(60), e -> e.contains("RBAC self-check could not be made"), "run", "-c",
                config.toString(), "--kubeconfig", dir.resolve("kubeconfig").toString(), "--ops-port", "-1");

        assertThat(r.err()).contains("warning: RBAC self-check could not be made").doesNotContain("not starting");
        assertThat(r.code()).as("interrupted while running, not refused").isNotIn(2, RunCommand.EXIT_RBAC);
    }
}
