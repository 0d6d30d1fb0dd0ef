package dev.launchkit.k8s.monitor;

import java.util.Objects;

/**
 * A kind of object the monitor lists and watches: a batch Job or a custom resource.
 *
 * @param apiVersion {@code batch/v1}, {@code kubeflow.org/v1}, ...
 * @param kind       {@code Job}, {@code PyTorchJob}, ...
 * @param plural     the resource name the API server's discovery reports ({@code jobs}, {@code pytorchjobs})
 */
public record ResourceKind(String apiVersion, String kind, String plural) {
    /** The plain {@code batch/v1} Job. */
    public static final ResourceKind BATCH_JOB = new ResourceKind("batch/v1", "Job", "jobs");

    public ResourceKind {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(plural, "plural");
        if (!apiVersion.contains("/")) {
            throw new IllegalArgumentException("apiVersion must be group/version, got '" + apiVersion + "'");
        }
    }

    /** The kind of an object reference. */
    public static ResourceKind of(dev.launchkit.k8s.KubeObjectRef ref) {
        return new ResourceKind(ref.apiVersion(), ref.kind(), ref.plural());
    }

    /** The API group, e.g. {@code batch}. */
    public String group() {
        return apiVersion.substring(0, apiVersion.indexOf('/'));
    }

    /** The version, e.g. {@code v1}. */
    public String version() {
        return apiVersion.substring(apiVersion.indexOf('/') + 1);
    }

    /** Whether this is a batch Job (whose pods carry the {@code job-name} label). */
    public boolean isBatchJob() {
        return kind.equals("Job") && group().equals("batch");
    }
}
