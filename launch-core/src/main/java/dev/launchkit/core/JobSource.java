package dev.launchkit.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where the code of a job comes from: a ready image, a git repository, or a directory of code (a W&B code
 * artifact, downloaded, or a local folder). Builders turn git and code sources into images.
 *
 * <p>Absent optional values are empty strings and empty lists, never {@code null}.
 */
public sealed interface JobSource permits JobSource.Image, JobSource.Git, JobSource.Code, JobSource.Unresolved {

    /** The command the container runs, e.g. {@code [python, train.py]}; empty to keep the image's own. */
    List<String> entrypoint();

    /** Whether a builder must produce an image before the run can be submitted. */
    default boolean needsBuild() {
        return !(this instanceof Image);
    }

    /** A short description for logs, e.g. {@code git https://github.com/org/repo@abc123}. */
    String describe();

    /**
     * The source a spec names by itself: {@code docker.docker_image} / {@code image_uri} → {@link Image};
     * {@code job} → {@link Unresolved} (the queue resolves it); LaunchKit's own {@code source} block
     * ({@code {git: {remote, commit}, build_context, dockerfile, base_image}} or {@code {code: <dir>, ...}}) →
     * {@link Git} / {@link Code}. The entrypoint is {@code overrides.entry_point}.
     *
     * @throws LaunchException at stage {@link Stage#AGENT} when the spec names none, or names a bad image
     */
    static JobSource fromSpec(LaunchSpec spec) {
        List<String> entry = spec.entryPoint();
        com.fasterxml.jackson.databind.JsonNode src = spec.get("source");
        if (spec.job().isPresent() && spec.dockerImage().isPresent()) {
            throw new LaunchException(Stage.AGENT, "Exactly one of job or docker_image must be specified, the spec has both");
        }
        if (spec.dockerImage().isPresent()) {
            String image = spec.dockerImage().get();
            try {
                return new Image(ImageRef.parse(image), entry);
            } catch (IllegalArgumentException e) {
                throw new LaunchException(Stage.AGENT, "docker.docker_image: " + e.getMessage());
            }
        }
        if (spec.job().isPresent()) {
            return new Unresolved(spec.job().get());
        }
        if (src.isObject()) {
            String ctx = src.path("build_context").asText("");
            String dockerfile = src.path("dockerfile").asText(spec.dockerfile().orElse(""));
            String base = src.path("base_image").asText("");
            if (src.path("git").isObject()) {
                String remote = src.path("git").path("remote").asText("");
                if (remote.isBlank()) {
                    throw new LaunchException(Stage.AGENT, "source.git.remote is required for a git source");
                }
                return new Git(remote, src.path("git").path("commit").asText(""), entry, ctx, dockerfile, base);
            }
            if (src.path("code").isTextual()) {
                return new Code(Path.of(src.path("code").asText()), entry, ctx, dockerfile, base);
            }
        }
        throw new LaunchException(Stage.AGENT, "the launch spec names no image and no job: set docker.docker_image "
                + "(or image_uri) to run an image, or job to run a W&B job");
    }

    /** A ready-to-run image. */
    record Image(ImageRef image, List<String> entrypoint) implements JobSource {
        public Image {
            Objects.requireNonNull(image, "image");
            entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
        }

        @Override
        public String describe() {
            return "image " + image;
        }
    }

    /**
     * A git repository at a commit.
     *
     * @param remote       an https:// or ssh remote
     * @param commit       a commit, branch or tag; empty for the default branch
     * @param buildContext a subdirectory to build from; empty for the repository root
     * @param dockerfile   a Dockerfile path inside the context; empty to let the builder choose
     * @param baseImage    a base image for generated Dockerfiles; empty for the builder's default
     */
    record Git(String remote, String commit, List<String> entrypoint, String buildContext, String dockerfile,
               String baseImage) implements JobSource {
        public Git {
            Objects.requireNonNull(remote, "remote");
            commit = commit == null ? "" : commit;
            entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
            buildContext = buildContext == null ? "" : buildContext;
            dockerfile = dockerfile == null ? "" : dockerfile;
            baseImage = baseImage == null ? "" : baseImage;
        }

        @Override
        public String describe() {
            return "git " + remote + (commit.isEmpty() ? "" : "@" + commit);
        }
    }

    /**
     * A directory of code already on this machine.
     *
     * @param directory    the directory (the downloaded code artifact, or a local folder)
     * @param buildContext a subdirectory to build from; empty for the directory itself
     * @param dockerfile   a Dockerfile path inside the context; empty to let the builder choose
     * @param baseImage    a base image for generated Dockerfiles; empty for the builder's default
     */
    record Code(Path directory, List<String> entrypoint, String buildContext, String dockerfile, String baseImage)
            implements JobSource {
        public Code {
            Objects.requireNonNull(directory, "directory");
            entrypoint = List.copyOf(entrypoint == null ? List.of() : entrypoint);
            buildContext = buildContext == null ? "" : buildContext;
            dockerfile = dockerfile == null ? "" : dockerfile;
            baseImage = baseImage == null ? "" : baseImage;
        }

        @Override
        public String describe() {
            return "code " + directory;
        }
    }

    /**
     * A source not yet known: the spec names a job (e.g. a W&B job artifact) that the queue must resolve with
     * {@link Queue#resolve(Job)} before building.
     *
     * @param reference what the spec named, e.g. {@code entity/project/job-name:v3}
     */
    record Unresolved(String reference) implements JobSource {
        public Unresolved {
            Objects.requireNonNull(reference, "reference");
        }

        @Override
        public List<String> entrypoint() {
            return List.of();
        }

        @Override
        public String describe() {
            return "job " + reference;
        }
    }
}
