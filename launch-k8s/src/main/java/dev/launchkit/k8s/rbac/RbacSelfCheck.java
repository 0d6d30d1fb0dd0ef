package dev.launchkit.k8s.rbac;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Asks the API server, with one SelfSubjectAccessReview per permission, whether the agent's identity may do what
 * its plugins need in every target namespace, so a missing RBAC rule is named at startup instead of surfacing as
 * a 403 on the first job.
 */
public final class RbacSelfCheck {
    /**
     * Verbs on the run objects (Jobs and custom resources): create to submit, get/list/watch to follow and adopt,
     * patch for the monitor's "reported" annotation, delete to cancel.
     */
    private static final List<String> OBJECT_VERBS = List.of("create", "get", "list", "watch", "patch", "delete");
    /** Verbs on Secrets: the per-run API key and pull secret are created, read back on conflict, owner-patched, deleted. */
    private static final List<String> SECRET_VERBS = List.of("create", "get", "patch", "delete");

    private final AuthorizationV1Api api;

    public RbacSelfCheck(ApiClient client) {
        this.api = new AuthorizationV1Api(client);
    }

    /**
     * What the kubernetes runner needs in each namespace: Jobs (and the given custom resources) to create, follow,
     * annotate and delete, pods to watch and their logs to diagnose, Secrets for the API key and pull secret.
     *
     * @param customResources {@code group/plural} of custom resources the queues submit, e.g. {@code kubeflow.org/pytorchjobs}
     * @throws IllegalArgumentException when a custom resource is not {@code group/plural}
     */
    public static List<Permission> runnerNeeds(Collection<String> namespaces, Collection<String> customResources) {
        Set<Permission> out = new LinkedHashSet<>();
        for (String ns : namespaces) {
            OBJECT_VERBS.forEach(v -> out.add(new Permission(ns, "batch", "jobs", "", v)));
            for (String cr : customResources) {
                String[] gp = customResource(cr);
                OBJECT_VERBS.forEach(v -> out.add(new Permission(ns, gp[0], gp[1], "", v)));
            }
            List.of("list", "watch").forEach(v -> out.add(new Permission(ns, "", "pods", "", v)));
            out.add(new Permission(ns, "", "pods", "log", "get"));
            SECRET_VERBS.forEach(v -> out.add(new Permission(ns, "", "secrets", "", v)));
        }
        return List.copyOf(out);
    }

    /**
     * What the Kaniko builder needs in its build namespace: build Jobs (created, followed, deleted), their pods and
     * logs, the docker-config Secret, and the credential-helper ConfigMap (created, owner-patched, deleted).
     */
    public static List<Permission> builderNeeds(String buildNamespace) {
        Set<Permission> out = new LinkedHashSet<>(runnerNeeds(List.of(buildNamespace), List.of()));
        List.of("create", "patch", "delete").forEach(v -> out.add(new Permission(buildNamespace, "", "configmaps", "", v)));
        return List.copyOf(out);
    }

    /**
     * Splits {@code group/plural} (as RBAC spells a rule) or {@code plural.group} (as kubectl spells a resource).
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static String[] customResource(String value) {
        String v = value.strip();
        int slash = v.indexOf('/');
        String group;
        String plural;
        if (slash >= 0) {
            group = v.substring(0, slash);
            plural = v.substring(slash + 1);
        } else {
            int dot = v.indexOf('.');
            plural = dot < 0 ? v : v.substring(0, dot);
            group = dot < 0 ? "" : v.substring(dot + 1);
        }
        if (group.isEmpty() || plural.isEmpty() || plural.contains("/") || !plural.equals(plural.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("'" + value + "' is not a custom resource; write it as group/plural, "
                    + "e.g. kubeflow.org/pytorchjobs");
        }
        return new String[] {group, plural};
    }

    /**
     * The permissions the API server denies.
     *
     * @throws ApiException when the review itself cannot be made (the server is unreachable, for example)
     */
    public List<Permission> missing(Collection<Permission> needed) throws ApiException {
        List<Permission> denied = new ArrayList<>();
        for (Permission p : needed) {
            V1SelfSubjectAccessReview review = new V1SelfSubjectAccessReview()
                    .apiVersion("authorization.k8s.io/v1").kind("SelfSubjectAccessReview")
                    .spec(new V1SelfSubjectAccessReviewSpec().resourceAttributes(new V1ResourceAttributes()
                            .namespace(p.namespace()).group(p.group()).resource(p.resource())
                            .subresource(p.subresource().isEmpty() ? null : p.subresource()).verb(p.verb())));
            V1SelfSubjectAccessReview answer = api.createSelfSubjectAccessReview(review).execute();
            if (answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                denied.add(p);
            }
        }
        return denied;
    }

    /**
     * One line per missing rule, fit for a startup error:
     * {@code missing RBAC rule: namespace wandb: apiGroups ["batch"], resources [jobs], verbs [delete]}.
     */
    public static String describe(List<Permission> missing) {
        StringBuilder sb = new StringBuilder();
        for (Permission p : missing) {
            sb.append(sb.length() == 0 ? "" : "\n").append("missing RBAC rule: ").append(p.rule());
        }
        return sb.toString();
    }
}
