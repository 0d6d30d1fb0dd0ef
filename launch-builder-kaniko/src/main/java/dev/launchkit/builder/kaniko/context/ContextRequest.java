package dev.launchkit.builder.kaniko.context;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link ContextPlanner} needs to know about a job. Absent values are empty strings, never {@code null}.
 *
 * @param projectDir         the fetched source (git checkout or code directory)
 * @param buildContext       a subdirectory of the project to build from; empty for the project root
 * @param overrideDockerfile {@code overrides.dockerfile} of the launch spec, relative to the build root
 * @param jobDockerfile      the job's own Dockerfile path, relative to the build root
 * @param entrypoint         the job's command, e.g. {@code [python, train.py]}
 * @param pythonVersion      {@code major.minor} for a generated Dockerfile
 * @param baseImage          an accelerator base image for a generated Dockerfile; empty for the Python image
 * @param userId             the uid of the generated image's user
 */
public record ContextRequest(Path projectDir, String buildContext, String overrideDockerfile, String jobDockerfile,
                             List<String> entrypoint, String pythonVersion, String baseImage, int userId) {

    public ContextRequest {
        Objects.requireNonNull(projectDir, "projectDir");
        buildContext = buildContext == null ? "" : buildContext;
        overrideDockerfile = overrideDockerfile == null ? "" : overrideDockerfile;
        jobDockerfile = jobDockerfile == null ? "" : jobDockerfile;
        entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
        Objects.requireNonNull(pythonVersion, "pythonVersion");
        baseImage = baseImage == null ? "" : baseImage;
    }
}
