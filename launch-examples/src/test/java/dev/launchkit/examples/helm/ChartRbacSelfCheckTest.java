package dev.launchkit.examples.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.k8s.rbac.Permission;
import dev.launchkit.k8s.rbac.RbacRequirements;
import dev.launchkit.k8s.rbac.RbacSelfCheck;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.Yaml;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's least-privilege RBAC against what the code needs: render the chart (real Helm), apply its ClusterRole,
 * Role and RoleBindings to the simulated cluster, then run the agent's own RBAC self-check as the chart's service
 * account, with the launch-config and environment the chart gives the agent pod.
 */
class ChartRbacSelfCheckTest {
    private static final Path CHART = Path.of("src/main/helm/launch-agent");
    private SimulatedCluster cluster;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        cluster = SimulatedCluster.start();
        for (String ns : List.of("wandb", "default", "ml")) {
            cluster.createNamespace(ns);
        }
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private List<Object> render(Consumer<TemplateCommand> options) throws Exception {
        Path seed = tmp.resolve("seed-values.yaml");
        try (InputStream in = getClass().getResourceAsStream("/dev/launchkit/testkit/seed/values.yaml")) {
            Files.copy(in, seed);
        }
        TemplateCommand cmd = new Helm(CHART).template().withName("rel").withNamespace("release-ns")
                .withValuesFile(seed).set("agent.apiKey", "seed-api-key-0001");
        options.accept(cmd);
        return Yaml.loadAll(cmd.call());
    }

    private static <T> List<T> ofType(List<Object> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Creates the chart's RBAC objects (as an administrator), each changed by {@code edit} first. */
    private void apply(List<Object> objects, UnaryOperator<V1ClusterRole> edit) throws Exception {
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(cluster.apiClient());
        for (V1ClusterRole r : ofType(objects, V1ClusterRole.class)) {
            rbac.createClusterRole(edit.apply(r)).execute();
        }
        for (V1Role r : ofType(objects, V1Role.class)) {
            rbac.createNamespacedRole(r.getMetadata().getNamespace(), r).execute();
        }
        for (V1RoleBinding b : ofType(objects, V1RoleBinding.class)) {
            rbac.createNamespacedRoleBinding(b.getMetadata().getNamespace(), b).execute();
        }
    }

    /** The agent pod's view: the chart's launch-config, its env, the service-account namespace and identity. */
    private List<Permission> selfCheck(List<Object> objects) throws Exception {
        V1ConfigMap cm = ofType(objects, V1ConfigMap.class).stream()
                .filter(c -> c.getData() != null && c.getData().containsKey("launch-config.yaml")).findFirst().orElseThrow();
        V1Deployment d = ofType(objects, V1Deployment.class).get(0);
        Map<String, String> env = new HashMap<>();
        for (V1EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        Path kubeconfig = tmp.resolve("kubeconfig");
        Files.writeString(kubeconfig, cluster.kubeconfig("sim", "default"));
        env.put("KUBECONFIG", kubeconfig.toString());
        // What the pod's service-account mount says: the Deployment's namespace.
        Path nsFile = tmp.resolve("namespace");
        Files.writeString(nsFile, d.getMetadata().getNamespace());
        String launchConfig = cm.getData().get("launch-config.yaml")
                + "runners:\n  kubernetes:\n    service_account_namespace_file: " + nsFile + "\n";
        LaunchConfig cfg = LaunchConfig.parse(launchConfig, "launch-config.yaml", env);

        RbacRequirements req = RbacRequirements.of(cfg, LaunchContext.basic(env)).orElseThrow();
        V1ServiceAccount sa = ofType(objects, V1ServiceAccount.class).get(0);
        cluster.rbac().authenticateAs("system:serviceaccount:" + sa.getMetadata().getNamespace() + ":"
                + sa.getMetadata().getName());
        List<Permission> missing = new RbacSelfCheck(req.client()).missing(req.needs());
        assertThat(req.needs()).isNotEmpty();
        return missing;
    }

    @Test
    void chartRbacForTheSeedValuesPassesTheSelfCheck() throws Exception {
        List<Object> objects = render(c -> { });
        apply(objects, UnaryOperator.identity());

        assertThat(selfCheck(objects)).isEmpty();
        assertThat(ofType(objects, V1Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getEnv()).as("the agent fails on a missing rule unless rbac.selfCheck says otherwise")
                .anyMatch(e -> e.getName().equals("LAUNCHKIT_RBAC_CHECK") && "fail".equals(e.getValue()));
    }

    @Test
    void chartRbacWithCustomResourcesAndKanikoPassesTheSelfCheck() throws Exception {
        Path extra = tmp.resolve("extra-values.yaml");
        Files.writeString(extra, """
                additionalTargetNamespaces: [default, wandb, ml]
                rbac:
                  customResources:
                    - apiGroup: kubeflow.org
                      resources: [pytorchjobs]
                launchConfig: |
                  queues: [k8s-test]
                  builder:
                    type: kaniko
                    destination: reg.example/img
                """);
        List<Object> objects = render(c -> c.withValuesFile(extra));
        V1Deployment d = ofType(objects, V1Deployment.class).get(0);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anyMatch(e -> e.getName().equals(RbacRequirements.CUSTOM_RESOURCES_ENV)
                        && "kubeflow.org/pytorchjobs".equals(e.getValue()));
        apply(objects, UnaryOperator.identity());

        List<Permission> missing = selfCheck(objects);

        assertThat(missing).isEmpty();
    }

    @Test
    void aChartRoleWithoutPodLogsIsNamedForEveryTargetNamespace() throws Exception {
        List<Object> objects = render(c -> { });
        apply(objects, role -> role.rules(role.getRules().stream()
                .filter(r -> !r.getResources().contains("pods/log")).toList()));

        List<Permission> missing = selfCheck(objects);

        assertThat(RbacSelfCheck.describe(missing)).isEqualTo(
                "missing RBAC rule: namespace wandb: {apiGroups: [\"\"], resources: [\"pods/log\"], verbs: [\"get\"]}\n"
                        + "missing RBAC rule: namespace default: {apiGroups: [\"\"], resources: [\"pods/log\"], verbs: [\"get\"]}");
    }
}
