package dev.launchkit.k8s.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup RBAC self-check against the simulated cluster's RBAC: each needed permission is one
 * SelfSubjectAccessReview, and a Role that lacks a rule gets exactly that rule named.
 */
class RbacSelfCheckTest {
    private static final String AGENT = "system:serviceaccount:wandb:launch-agent";
    private static final List<String> ALL = List.of("create", "get", "list", "watch", "patch", "delete");
    private SimulatedCluster cluster;
    private RbacAuthorizationV1Api rbac;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws ApiException {
        cluster = SimulatedCluster.start();
        rbac = new RbacAuthorizationV1Api(cluster.apiClient());
        cluster.createNamespace("wandb");
        cluster.createNamespace("ml");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static V1PolicyRule rule(String group, List<String> resources, List<String> verbs) {
        return new V1PolicyRule().apiGroups(List.of(group)).resources(resources).verbs(verbs);
    }

    /** The runner's least-privilege rules, as the Helm chart grants them. */
    private static List<V1PolicyRule> fullRules() {
        return new ArrayList<>(List.of(
                rule("", List.of("pods"), List.of("get", "list", "watch")),
                rule("", List.of("pods/log"), List.of("get")),
                rule("", List.of("secrets"), ALL),
                rule("batch", List.of("jobs"), ALL)));
    }

    private void grant(String ns, List<V1PolicyRule> rules) throws ApiException {
        rbac.createNamespacedRole(ns, new V1Role().apiVersion("rbac.authorization.k8s.io/v1").kind("Role")
                .metadata(new V1ObjectMeta().name("launch-agent").namespace(ns)).rules(rules)).execute();
        rbac.createNamespacedRoleBinding(ns, new V1RoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("RoleBinding").metadata(new V1ObjectMeta().name("launch-agent").namespace(ns))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("launch-agent"))
                .subjects(List.of(new RbacV1Subject().kind("ServiceAccount").name("launch-agent").namespace("wandb"))))
                .execute();
    }

    private List<Permission> missing(List<Permission> needs) throws ApiException {
        cluster.rbac().authenticateAs(AGENT);
        return new RbacSelfCheck(cluster.apiClient()).missing(needs);
    }

    @Test
    void fullRoleMissesNothing() throws ApiException {
        grant("wandb", fullRules());

        assertThat(missing(RbacSelfCheck.runnerNeeds(List.of("wandb"), List.of()))).isEmpty();
    }

    @Test
    void reducedRoleWithoutDeleteOnJobsNamesExactlyThatRule() throws ApiException {
        List<V1PolicyRule> rules = fullRules();
        rules.set(3, rule("batch", List.of("jobs"), List.of("create", "get", "list", "watch", "patch")));
        grant("wandb", rules);

        List<Permission> missing = missing(RbacSelfCheck.runnerNeeds(List.of("wandb"), List.of()));

        assertThat(missing).containsExactly(new Permission("wandb", "batch", "jobs", "", "delete"));
        assertThat(RbacSelfCheck.describe(missing)).isEqualTo(
                "missing RBAC rule: namespace wandb: {apiGroups: [\"batch\"], resources: [\"jobs\"], verbs: [\"delete\"]}");
    }

    @Test
    void reducedRoleWithoutPodLogsNamesTheSubresource() throws ApiException {
        List<V1PolicyRule> rules = fullRules();
        rules.remove(1);
        grant("wandb", rules);

        List<Permission> missing = missing(RbacSelfCheck.runnerNeeds(List.of("wandb"), List.of()));

        assertThat(missing).containsExactly(new Permission("wandb", "", "pods", "log", "get"));
        assertThat(RbacSelfCheck.describe(missing)).isEqualTo(
                "missing RBAC rule: namespace wandb: {apiGroups: [\"\"], resources: [\"pods/log\"], verbs: [\"get\"]}");
    }

    @Test
    void aTargetNamespaceWithoutABindingMissesEveryRuleThereAndOnlyThere() throws ApiException {
        grant("wandb", fullRules());

        List<Permission> missing = missing(RbacSelfCheck.runnerNeeds(List.of("wandb", "ml"), List.of()));

        assertThat(missing).isNotEmpty().allSatisfy(p -> assertThat(p.namespace()).isEqualTo("ml"));
        assertThat(missing).hasSize(RbacSelfCheck.runnerNeeds(List.of("ml"), List.of()).size());
    }

    @Test
    void customResourceKindsFromTheConfigAreChecked() throws ApiException {
        List<V1PolicyRule> rules = fullRules();
        rules.add(rule("kubeflow.org", List.of("pytorchjobs"), List.of("create", "get", "list", "watch", "patch")));
        grant("wandb", rules);

        List<Permission> missing = missing(RbacSelfCheck.runnerNeeds(List.of("wandb"),
                List.of("kubeflow.org/pytorchjobs", "jobset.x-k8s.io/jobsets")));

        assertThat(missing).extracting(p -> p.group() + "/" + p.resource() + ":" + p.verb()).containsExactly(
                "kubeflow.org/pytorchjobs:delete",
                "jobset.x-k8s.io/jobsets:create", "jobset.x-k8s.io/jobsets:get", "jobset.x-k8s.io/jobsets:list",
                "jobset.x-k8s.io/jobsets:watch", "jobset.x-k8s.io/jobsets:patch", "jobset.x-k8s.io/jobsets:delete");
    }

    @Test
    void customResourcesAreWrittenAsGroupSlashPluralOrPluralDotGroup() {
        assertThat(RbacSelfCheck.customResource("kubeflow.org/pytorchjobs")).containsExactly("kubeflow.org", "pytorchjobs");
        assertThat(RbacSelfCheck.customResource("pytorchjobs.kubeflow.org")).containsExactly("kubeflow.org", "pytorchjobs");
        assertThatThrownBy(() -> RbacSelfCheck.customResource("PyTorchJob"))
                .hasMessageContaining("'PyTorchJob'").hasMessageContaining("group/plural");
    }

    @Test
    void kanikoBuilderNeedsConfigMapsInTheBuildNamespace() throws ApiException {
        grant("wandb", fullRules());

        List<Permission> missing = missing(RbacSelfCheck.builderNeeds("wandb"));

        assertThat(missing).extracting(Permission::rule).containsExactly(
                "namespace wandb: {apiGroups: [\"\"], resources: [\"configmaps\"], verbs: [\"create\"]}",
                "namespace wandb: {apiGroups: [\"\"], resources: [\"configmaps\"], verbs: [\"patch\"]}",
                "namespace wandb: {apiGroups: [\"\"], resources: [\"configmaps\"], verbs: [\"delete\"]}");
    }

    private Path kubeconfig() throws Exception {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, cluster.kubeconfig("sim", "default"));
        return file;
    }

    private LaunchConfig config(String yaml) throws Exception {
        Path nsFile = dir.resolve("namespace");
        Files.writeString(nsFile, "wandb\n");
        return LaunchConfig.parse(yaml.replace("@KUBECONFIG@", kubeconfig().toString())
                .replace("@NSFILE@", nsFile.toString()), "launch-config.yaml", Map.of());
    }

    @Test
    void requirementsOfAConfigCoverEveryTargetNamespaceCustomResourcesAndTheKanikoBuilder() throws Exception {
        LaunchConfig cfg = config("queues: [q]\nbuilder:\n  type: kaniko\n  destination: reg.example/img\n"
                + "runners:\n  kubernetes:\n    kubeconfig: @KUBECONFIG@\n    service_account_namespace_file: @NSFILE@\n"
                + "    additional_target_namespaces: [ml]\n    custom_resources:\n"
                + "      - {apiVersion: kubeflow.org/v1, kind: PyTorchJob, plural: pytorchjobs}\n");
        LaunchContext ctx = LaunchContext.basic(Map.of(RbacRequirements.CUSTOM_RESOURCES_ENV, "jobset.x-k8s.io/jobsets"));

        RbacRequirements req = RbacRequirements.of(cfg, ctx).orElseThrow();

        assertThat(req.namespaces()).containsExactly("wandb", "ml");
        assertThat(req.needs()).contains(new Permission("ml", "kubeflow.org", "pytorchjobs", "", "create"),
                new Permission("ml", "jobset.x-k8s.io", "jobsets", "", "watch"),
                new Permission("wandb", "", "configmaps", "", "patch"));
        assertThat(req.needs()).noneMatch(p -> p.namespace().equals("ml") && p.resource().equals("configmaps"));

        grant("wandb", fullRules());
        List<Permission> missing = missing(req.needs());
        assertThat(missing).allSatisfy(p -> assertThat(p.namespace().equals("ml") || p.resource().equals("configmaps")
                || !p.group().isEmpty() && !p.group().equals("batch")).isTrue());
        assertThat(missing).contains(new Permission("wandb", "", "configmaps", "", "create"),
                new Permission("ml", "batch", "jobs", "", "create"));
    }

    @Test
    void configWithoutAKubernetesRunnerNeedsNoCheck() throws Exception {
        LaunchConfig cfg = config("queues: [q]\ndefault_resource: local-process\n");

        assertThat(RbacRequirements.of(cfg, LaunchContext.basic(Map.of()))).isEmpty();
    }

    @Test
    void aBadCustomResourceFromTheChartNamesTheVariableAndTheHelmValue() throws Exception {
        LaunchConfig cfg = config("queues: [q]\nrunners:\n  kubernetes:\n    kubeconfig: @KUBECONFIG@\n");

        assertThatThrownBy(() -> RbacRequirements.of(cfg, LaunchContext.basic(Map.of(
                RbacRequirements.CUSTOM_RESOURCES_ENV, "kubeflow.org/pytorchjobs,PyTorchJob"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(RbacRequirements.CUSTOM_RESOURCES_ENV).hasMessageContaining("'PyTorchJob'")
                .hasMessageContaining("rbac.customResources");
    }
}
