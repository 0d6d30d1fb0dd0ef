package dev.launchkit.wandb.job;

import java.util.List;
import java.util.Objects;

/**
 * A job to resolve, as a launch spec names it.
 *
 * @param job                the {@code job} field: {@code entity/project/name:alias} (entity and project may be left
 *                           out; the alias defaults to {@code latest})
 * @param entity             the spec's entity, used when the job name has none
 * @param project            the spec's project, used when the job name has none
 * @param entrypointOverride {@code overrides.entry_point}; when non-empty it replaces the job's entrypoint
 */
public record JobRequest(String job, String entity, String project, List<String> entrypointOverride) {
    public JobRequest {
        Objects.requireNonNull(job, "job");
        entity = entity == null ? "" : entity;
        project = project == null ? "" : project;
        entrypointOverride = List.copyOf(entrypointOverride == null ? List.of() : entrypointOverride);
    }
}
