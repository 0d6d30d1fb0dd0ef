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
    private static final List<String> JOB_VERBS = List.of("create", "get", "list", "watch", "delete");

    private final AuthorizationV1Api api;

    public RbacSelfCheck(ApiClient client) {
        this.api = new AuthorizationV1Api(client);
    }

    /**
     * What the kubernetes runner needs in each namespace: Jobs (and the given custom resources) to create, watch
     * and delete, pods and their logs to diagnose, Secrets for the API key and pull secret.
     *
     * @param customResources {@code group/plural} of custom resources the queues submit, e.g. {@code kubeflow.org/pytorchjobs}
     */
    public static List<Permission> runnerNeeds(Collection<String> namespaces, Collection<String> customResources) {
        Set<Permission> out = new LinkedHashSet<>();
        for (String ns : namespaces) {
            JOB_VERBS.forEach(v -> out.add(new Permission(ns, "batch", "jobs", "", v)));
            for (String cr : customResources) {
                int slash = cr.indexOf('/');
                String group = slash < 0 ? "" : cr.substring(0, slash);
                String plural = slash < 0 ? cr : cr.substring(slash + 1);
                JOB_VERBS.forEach(v -> out.add(new Permission(ns, group, plural, "", v)));
            }
            List.of("get", "list", "watch").forEach(v -> out.add(new Permission(ns, "", "pods", "", v)));
            out.add(new Permission(ns, "", "pods", "log", "get"));
            List.of("create", "get", "delete", "patch").forEach(v -> out.add(new Permission(ns, "", "secrets", "", v)));
        }
        return List.copyOf(out);
    }

    /** What the Kaniko builder needs in the agent namespace: build Jobs, their pods and logs, config maps and secrets. */
    public static List<Permission> builderNeeds(String agentNamespace) {
        Set<Permission> out = new LinkedHashSet<>(runnerNeeds(List.of(agentNamespace), List.of()));
        List.of("create", "get", "delete").forEach(v -> out.add(new Permission(agentNamespace, "", "configmaps", "", v)));
        return List.copyOf(out);
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

    /** One line per missing rule, fit for a startup error: {@code missing RBAC rule: namespace ns: apiGroups [...], ...}. */
    public static String describe(List<Permission> missing) {
        StringBuilder sb = new StringBuilder();
        for (Permission p : missing) {
            sb.append(sb.length() == 0 ? "" : "\n").append("missing RBAC rule: ").append(p.rule());
        }
        return sb.toString();
    }
}
