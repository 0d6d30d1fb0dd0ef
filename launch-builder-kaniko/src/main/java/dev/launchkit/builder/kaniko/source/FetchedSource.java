package dev.launchkit.builder.kaniko.source;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A source checked out on the agent's disk.
 *
 * @param directory the working tree
 * @param commit    the commit checked out (full SHA), for logs
 */
public record FetchedSource(Path directory, String commit) {
    public FetchedSource {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(commit, "commit");
    }
}
