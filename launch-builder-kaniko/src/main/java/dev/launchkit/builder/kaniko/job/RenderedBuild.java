package dev.launchkit.builder.kaniko.job;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Secret;
import java.util.List;
import java.util.Objects;

/**
 * The objects of one build, in creation order: companions first (the pod mounts them), then the Job. The builder
 * sets an ownerReference to the Job on each companion once the Job exists, so Kubernetes deletes them with it.
 *
 * @param job        the Kaniko Job
 * @param configMaps ConfigMaps to create (credential helpers)
 * @param secrets    Secrets to create (a docker config built from the registry's credentials)
 */
public record RenderedBuild(V1Job job, List<V1ConfigMap> configMaps, List<V1Secret> secrets) {
    public RenderedBuild {
        Objects.requireNonNull(job, "job");
        configMaps = List.copyOf(configMaps);
        secrets = List.copyOf(secrets);
    }
}
