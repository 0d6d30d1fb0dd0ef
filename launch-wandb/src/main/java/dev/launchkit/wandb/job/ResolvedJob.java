package dev.launchkit.wandb.job;

import dev.launchkit.core.JobSource;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A W&B job turned into a source the builder understands.
 *
 * @param source       {@link JobSource.Image}, {@link JobSource.Git} or {@link JobSource.Code}
 * @param jobDirectory where the job artifact's files were downloaded ({@code wandb-job.json},
 *                     {@code requirements.frozen.txt}, {@code diff.patch})
 * @param job          the parsed {@code wandb-job.json}
 * @param attributes   facts for the builder: {@code runtime} / {@code python_version} (the job's Python version),
 *                     {@code wandb.job}, {@code wandb.job_dir}, and {@code wandb.diff_patch} /
 *                     {@code wandb.requirements_frozen} when those files exist
 */
public record ResolvedJob(JobSource source, Path jobDirectory, JobArtifact job, Map<String, String> attributes) {
    public ResolvedJob {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(jobDirectory, "jobDirectory");
        Objects.requireNonNull(job, "job");
        attributes = Map.copyOf(attributes);
    }
}
