package dev.launchkit.builder.kaniko.context;

import java.util.List;
import java.util.Objects;

/**
 * A build context ready to archive: its files, the Dockerfile inside it and how that Dockerfile was chosen.
 *
 * @param tree       the files; the Dockerfile is at {@link #DOCKERFILE}
 * @param origin     where the Dockerfile came from
 * @param dockerfile the Dockerfile text (for logs and tests)
 * @param notes      things the user should know (no requirements file, wandb not listed), for the build log
 */
public record ContextPlan(ContextTree tree, Origin origin, String dockerfile, List<String> notes) {
    /** The Dockerfile's path inside every context, as W&B names it; Kaniko gets {@code --dockerfile} with it. */
    public static final String DOCKERFILE = "Dockerfile.wandb";

    /** Where the Dockerfile came from, in W&B's order of precedence. */
    public enum Origin {
        /** {@code overrides.dockerfile} of the launch spec. */
        OVERRIDE,
        /** The job's own Dockerfile ({@code wandb job create -D}, or {@code source.dockerfile}). */
        JOB,
        /** A {@code Dockerfile.wandb} next to the entrypoint; the context is the entrypoint's directory. */
        ENTRYPOINT_DIRECTORY,
        /** Generated for Python. */
        GENERATED
    }

    public ContextPlan {
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(dockerfile, "dockerfile");
        notes = List.copyOf(notes == null ? List.of() : notes);
    }
}
