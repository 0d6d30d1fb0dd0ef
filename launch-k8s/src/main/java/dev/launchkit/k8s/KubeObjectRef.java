package dev.launchkit.k8s;

import java.util.Objects;

/**
 * Identifies one Kubernetes object the runner created: enough to watch, read, delete and re-adopt it.
 *
 * @param namespace  the namespace
 * @param apiVersion {@code batch/v1}, {@code kubeflow.org/v1}, ...
 * @param kind       {@code Job}, {@code PyTorchJob}, ...
 * @param plural     the resource's plural as the API server's discovery reports it ({@code jobs}, {@code pytorchjobs})
 * @param name       the object name
 */
public record KubeObjectRef(String namespace, String apiVersion, String kind, String plural, String name) {

    public KubeObjectRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(plural, "plural");
        Objects.requireNonNull(name, "name");
    }

    /** The API group; empty for the core group. */
    public String group() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** The API version without group, e.g. {@code v1}. */
    public String version() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    }

    /** Whether this is a plain {@code batch/v1} Job. */
    public boolean isBatchJob() {
        return "Job".equals(kind) && ("batch/v1".equals(apiVersion) || "batch/v1beta1".equals(apiVersion));
    }

    /** {@code namespace/kind/name}, used as the runner's run id. */
    @Override
    public String toString() {
        return namespace + "/" + kind + "/" + name;
    }
}
