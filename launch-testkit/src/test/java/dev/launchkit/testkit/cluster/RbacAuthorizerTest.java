package dev.launchkit.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1NonResourceAttributes;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RBAC of the simulated cluster, through the official client's SelfSubjectAccessReview and ordinary requests. */
class RbacAuthorizerTest {
    private static final String AGENT = "system:serviceaccount:wandb:launch-agent";
    private SimulatedCluster cluster;
    private RbacAuthorizationV1Api rbac;

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

    private static V1PolicyRule rule(List<String> groups, List<String> resources, List<String> verbs) {
        return new V1PolicyRule().apiGroups(groups).resources(resources).verbs(verbs);
    }

    private void role(String ns, String name, V1PolicyRule... rules) throws ApiException {
        rbac.createNamespacedRole(ns, new V1Role().apiVersion("rbac.authorization.k8s.io/v1").kind("Role")
                .metadata(new V1ObjectMeta().name(name).namespace(ns)).rules(List.of(rules))).execute();
    }

    private void clusterRole(String name, V1PolicyRule... rules) throws ApiException {
        rbac.createClusterRole(new V1ClusterRole().apiVersion("rbac.authorization.k8s.io/v1").kind("ClusterRole")
                .metadata(new V1ObjectMeta().name(name)).rules(List.of(rules))).execute();
    }

    private static RbacV1Subject agentSubject() {
        return new RbacV1Subject().kind("ServiceAccount").name("launch-agent").namespace("wandb");
    }

    private void bind(String ns, String name, String roleKind, String role, RbacV1Subject subject) throws ApiException {
        rbac.createNamespacedRoleBinding(ns, new V1RoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("RoleBinding").metadata(new V1ObjectMeta().name(name).namespace(ns))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind(roleKind).name(role))
                .subjects(List.of(subject))).execute();
    }

    private V1SubjectAccessReviewStatus review(String ns, String group, String resource, String subresource,
                                               String verb, String name) throws ApiException {
        V1SelfSubjectAccessReview answer = new AuthorizationV1Api(cluster.apiClient()).createSelfSubjectAccessReview(
                new V1SelfSubjectAccessReview().apiVersion("authorization.k8s.io/v1").kind("SelfSubjectAccessReview")
                        .spec(new V1SelfSubjectAccessReviewSpec().resourceAttributes(new V1ResourceAttributes()
                                .namespace(ns).group(group).resource(resource).subresource(subresource).verb(verb)
                                .name(name)))).execute();
        return answer.getStatus();
    }

    private boolean allowed(String ns, String group, String resource, String subresource, String verb)
            throws ApiException {
        return review(ns, group, resource, subresource, verb, null).getAllowed();
    }

    @Test
    void withoutAnIdentityEverythingIsAllowed() throws ApiException {
        assertThat(allowed("wandb", "batch", "jobs", null, "delete")).isTrue();
        assertThat(allowed("", "", "nodes", null, "list")).isTrue();
    }

    @Test
    void roleBindingGrantsTheRoleOnlyInItsNamespaceAndOnlyForTheBoundServiceAccount() throws ApiException {
        role("wandb", "runner", rule(List.of("batch"), List.of("jobs"), List.of("create", "get")));
        bind("wandb", "runner", "Role", "runner", agentSubject());
        cluster.rbac().authenticateAs(AGENT);

        V1SubjectAccessReviewStatus status = review("wandb", "batch", "jobs", null, "create", null);
        assertThat(status.getAllowed()).isTrue();
        assertThat(status.getReason()).contains("RoleBinding \"runner/wandb\"").contains("Role \"runner\"");
        assertThat(allowed("wandb", "batch", "jobs", null, "delete")).as("verb not in the rule").isFalse();
        assertThat(allowed("ml", "batch", "jobs", null, "create")).as("other namespace").isFalse();
        assertThat(allowed("wandb", "", "jobs", null, "create")).as("core group is not batch").isFalse();

        cluster.rbac().authenticateAs("system:serviceaccount:wandb:someone-else");
        assertThat(allowed("wandb", "batch", "jobs", null, "create")).as("other service account").isFalse();
    }

    @Test
    void subresourcesNeedTheirOwnRuleUnlessAWildcardCoversThem() throws ApiException {
        role("wandb", "pods-only", rule(List.of(""), List.of("pods"), List.of("get")));
        bind("wandb", "pods-only", "Role", "pods-only", agentSubject());
        role("ml", "logs", rule(List.of(""), List.of("*/log"), List.of("get")));
        bind("ml", "logs", "Role", "logs", agentSubject());
        cluster.rbac().authenticateAs(AGENT);

        assertThat(allowed("wandb", "", "pods", null, "get")).isTrue();
        assertThat(allowed("wandb", "", "pods", "log", "get")).as("pods does not grant pods/log").isFalse();
        assertThat(allowed("ml", "", "pods", "log", "get")).as("*/log grants pods/log").isTrue();
        assertThat(allowed("ml", "", "pods", null, "get")).as("*/log does not grant pods").isFalse();

        cluster.rbac().authenticateAsAdmin();
        role("wandb", "all", rule(List.of("*"), List.of("*"), List.of("*")));
        bind("wandb", "all", "Role", "all", agentSubject());
        cluster.rbac().authenticateAs(AGENT);
        assertThat(allowed("wandb", "", "pods", "log", "get")).as("* grants subresources").isTrue();
        assertThat(allowed("wandb", "kubeflow.org", "pytorchjobs", null, "deletecollection")).isTrue();
    }

    @Test
    void resourceNamesLimitARuleToNamedObjects() throws ApiException {
        role("wandb", "one-secret", new V1PolicyRule().apiGroups(List.of("")).resources(List.of("secrets"))
                .verbs(List.of("get")).resourceNames(List.of("wandb-api-key")));
        bind("wandb", "one-secret", "Role", "one-secret", agentSubject());
        cluster.rbac().authenticateAs(AGENT);

        assertThat(review("wandb", "", "secrets", null, "get", "wandb-api-key").getAllowed()).isTrue();
        assertThat(review("wandb", "", "secrets", null, "get", "other").getAllowed()).isFalse();
        assertThat(review("wandb", "", "secrets", null, "get", null).getAllowed()).as("no name asked").isFalse();
    }

    @Test
    void roleBindingToAClusterRoleGrantsItsRulesInTheBindingsNamespaceOnly() throws ApiException {
        clusterRole("job-runner", rule(List.of("batch"), List.of("jobs"), List.of("*")));
        bind("ml", "job-runner", "ClusterRole", "job-runner", agentSubject());
        cluster.rbac().authenticateAs(AGENT);

        assertThat(allowed("ml", "batch", "jobs", null, "watch")).isTrue();
        assertThat(allowed("wandb", "batch", "jobs", null, "watch")).isFalse();
        assertThat(allowed("", "batch", "jobs", null, "list")).as("cluster scope").isFalse();
    }

    @Test
    void clusterRoleBindingGrantsEverywhereAndGroupsOfTheServiceAccountMatch() throws ApiException {
        clusterRole("pod-reader", rule(List.of(""), List.of("pods"), List.of("list")));
        rbac.createClusterRoleBinding(new V1ClusterRoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("ClusterRoleBinding").metadata(new V1ObjectMeta().name("all-sa-in-wandb"))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("ClusterRole").name("pod-reader"))
                .subjects(List.of(new RbacV1Subject().kind("Group").name("system:serviceaccounts:wandb")))).execute();
        cluster.rbac().authenticateAs(AGENT);

        assertThat(allowed("ml", "", "pods", null, "list")).isTrue();
        assertThat(allowed("", "", "pods", null, "list")).isTrue();
        cluster.rbac().authenticateAs("system:serviceaccount:ml:agent");
        assertThat(allowed("ml", "", "pods", null, "list")).as("group of another namespace").isFalse();
    }

    @Test
    void nonResourceUrlsMatchExactlyOrByPrefix() throws ApiException {
        clusterRole("metrics", new V1PolicyRule().nonResourceURLs(List.of("/metrics", "/logs/*")).verbs(List.of("get")));
        rbac.createClusterRoleBinding(new V1ClusterRoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("ClusterRoleBinding").metadata(new V1ObjectMeta().name("metrics"))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("ClusterRole").name("metrics"))
                .subjects(List.of(new RbacV1Subject().kind("User").name("alice")))).execute();
        cluster.rbac().authenticateAs("alice");
        AuthorizationV1Api api = new AuthorizationV1Api(cluster.apiClient());

        for (var c : Map.of("/metrics", true, "/logs/kubelet", true, "/healthz", false).entrySet()) {
            V1SelfSubjectAccessReview r = api.createSelfSubjectAccessReview(new V1SelfSubjectAccessReview()
                    .apiVersion("authorization.k8s.io/v1").kind("SelfSubjectAccessReview")
                    .spec(new V1SelfSubjectAccessReviewSpec().nonResourceAttributes(
                            new V1NonResourceAttributes().path(c.getKey()).verb("get")))).execute();
            assertThat(r.getStatus().getAllowed()).as(c.getKey()).isEqualTo(c.getValue());
        }
    }

    @Test
    void requestsTheIdentityMayNotMakeGetTheApiServersForbiddenStatus() throws ApiException {
        role("wandb", "secret-reader", rule(List.of(""), List.of("secrets"), List.of("get", "create")));
        bind("wandb", "secret-reader", "Role", "secret-reader", agentSubject());
        CoreV1Api core = new CoreV1Api(cluster.apiClient());
        core.createNamespacedSecret("wandb", new V1Secret().apiVersion("v1").kind("Secret")
                .metadata(new V1ObjectMeta().name("k").namespace("wandb")).stringData(Map.of("a", "b"))).execute();
        cluster.rbac().authenticateAs(AGENT);

        assertThat(core.readNamespacedSecret("k", "wandb").execute().getMetadata().getName()).isEqualTo("k");
        assertThatThrownBy(() -> core.deleteNamespacedSecret("k", "wandb").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getResponseBody()).contains("secrets \\\"k\\\" is forbidden: User \\\"" + AGENT
                            + "\\\" cannot delete resource \\\"secrets\\\" in API group \\\"\\\" in the namespace "
                            + "\\\"wandb\\\"");
                });
        assertThatThrownBy(() -> core.listNamespacedPod("wandb").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        assertThatThrownBy(() -> core.readNamespacedPodLog("p", "wandb").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getResponseBody())
                        .contains("cannot get resource \\\"pods/log\\\""));

        cluster.rbac().authenticateAsAdmin();
        assertThat(core.listNamespacedPod("wandb").execute().getItems()).isEmpty();
    }

    @Test
    void requestAttributesAreParsedAsTheApiServerDoes() {
        var a = RbacAuthorizer.attributesOf("GET", "/api/v1/namespaces/wandb/pods/p1/log?follow=true");
        assertThat(List.of(a.verb(), a.namespace(), a.group(), a.resource(), a.subresource(), a.name()))
                .containsExactly("get", "wandb", "", "pods", "log", "p1");
        a = RbacAuthorizer.attributesOf("GET", "/apis/batch/v1/namespaces/ml/jobs?labelSelector=x&watch=true");
        assertThat(List.of(a.verb(), a.namespace(), a.group(), a.resource())).containsExactly("watch", "ml", "batch", "jobs");
        a = RbacAuthorizer.attributesOf("DELETE", "/apis/kubeflow.org/v1/namespaces/ml/pytorchjobs");
        assertThat(a.verb()).isEqualTo("deletecollection");
        a = RbacAuthorizer.attributesOf("PATCH", "/api/v1/namespaces/ml");
        assertThat(List.of(a.verb(), a.namespace(), a.resource(), a.name())).containsExactly("patch", "", "namespaces", "ml");
        a = RbacAuthorizer.attributesOf("GET", "/apis/batch/v1");
        assertThat(a.isResource()).isFalse();
    }
}
