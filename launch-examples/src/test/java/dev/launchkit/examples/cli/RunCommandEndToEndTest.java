package dev.launchkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code launch-agent run} as a user starts it: the seed's launch-config.yaml at the default path
 * ({@code $HOME/.config/wandb/launch-config.yaml}, tab-indented), a W&B server (the testkit's fake), a cluster with
 * RBAC for the agent's service account (the simulated one). The RBAC self-check passes and the seed queue's item
 * becomes a Job.
 */
class RunCommandEndToEndTest {
    private static final List<String> ALL = List.of("create", "get", "list", "watch", "patch", "delete");
    private SimulatedCluster cluster;
    private FakeWandbServer wandb;

    @TempDir
    Path home;

    @BeforeEach
    void start() throws Exception {
        cluster = SimulatedCluster.start();
        cluster.createNamespace("wandb");
        wandb = FakeWandbServer.start();
        wandb.addTeam("my-team");
        try (InputStream in = getClass().getResourceAsStream("/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            wandb.createQueueFromYaml("my-team", "k8s-test", "kubernetes", new String(in.readAllBytes(),
                    StandardCharsets.UTF_8));
        }
        wandb.initRunsOnAck(true);
    }

    @AfterEach
    void stop() {
        wandb.close();
        cluster.close();
    }

    private void grantRunnerRole() throws Exception {
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(cluster.apiClient());
        rbac.createNamespacedRole("wandb", new V1Role().apiVersion("rbac.authorization.k8s.io/v1").kind("Role")
                .metadata(new V1ObjectMeta().name("agent").namespace("wandb")).rules(List.of(
                        new V1PolicyRule().apiGroups(List.of("")).resources(List.of("pods")).verbs(List.of("list", "watch")),
                        new V1PolicyRule().apiGroups(List.of("")).resources(List.of("pods/log")).verbs(List.of("get")),
                        new V1PolicyRule().apiGroups(List.of("")).resources(List.of("secrets")).verbs(ALL),
                        new V1PolicyRule().apiGroups(List.of("batch")).resources(List.of("jobs")).verbs(ALL))))
                .execute();
        rbac.createNamespacedRoleBinding("wandb", new V1RoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("RoleBinding").metadata(new V1ObjectMeta().name("agent").namespace("wandb"))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("agent"))
                .subjects(List.of(new RbacV1Subject().kind("ServiceAccount").name("launch-agent").namespace("wandb"))))
                .execute();
        cluster.rbac().authenticateAs("system:serviceaccount:wandb:launch-agent");
    }

    private List<V1Job> jobs() {
        try {
            return new BatchV1Api(cluster.apiClient()).listNamespacedJob("wandb").execute().getItems();
        } catch (Exception e) {
            return List.of();
        }
    }

    private Path seedConfigAtDefaultPath(boolean fixTabs) throws Exception {
        Path config = home.resolve(".config/wandb/launch-config.yaml");
        Files.createDirectories(config.getParent());
        try (InputStream in = getClass().getResourceAsStream("/dev/launchkit/testkit/seed/launch-config.yaml")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Files.writeString(config, fixTabs ? text.replace("\t", "  ") : text);
        }
        return config;
    }

    @Test
    void seedConfigWithItsTabsIsRefusedNamingTheLineAndTheFix() throws Exception {
        seedConfigAtDefaultPath(false);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = LaunchAgentCli.execute(Map.of("HOME", home.toString()), "run", "--ops-port", "-1");
        } finally {
            System.setErr(e);
        }

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("launch-config.yaml:4")
                .contains("indented with a tab").contains("spaces");
    }

    @Test
    void seedConfigAtTheDefaultPathRunsTheSeedQueuesItemAsAJob() throws Exception {
        // The seed indents with tabs, which YAML refuses; the error says to replace them, as done here.
        seedConfigAtDefaultPath(true);
        Path kubeconfig = home.resolve("kubeconfig");
        Files.writeString(kubeconfig, cluster.kubeconfig("sim", "wandb"));
        grantRunnerRole();
        ObjectNode spec = JsonNodeFactory.instance.objectNode().put("entity", "my-team").put("project", "vision");
        spec.putObject("docker").put("docker_image", "python:3.12-slim");
        String item = wandb.pushItem("my-team", "k8s-test", spec);
        Map<String, String> env = new HashMap<>(wandb.agentEnv());
        env.put("HOME", home.toString());

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(LaunchAgentCli.execute(env, "run", "--kubeconfig", kubeconfig.toString(),
                "--ops-port", "-1")), "run-command-under-test");
        try {
            t.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (t.isAlive() && System.nanoTime() < deadline && (jobs().isEmpty()
                    || !"CLAIMED".equals(wandb.item(item).map(i -> i.state()).orElse("")))) {
                Thread.sleep(25);
            }
            t.interrupt();
            t.join(Duration.ofSeconds(40).toMillis());
        } finally {
            System.setErr(e);
        }

        assertThat(t.isAlive()).isFalse();
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("RBAC");
        assertThat(wandb.item(item).orElseThrow().state()).as(err.toString(StandardCharsets.UTF_8)).isEqualTo("CLAIMED");
        assertThat(jobs()).singleElement().satisfies(j -> assertThat(j.getMetadata().getLabels())
                .containsEntry("wandb.ai/run-id", wandb.item(item).orElseThrow().associatedRunId()));
    }
}
