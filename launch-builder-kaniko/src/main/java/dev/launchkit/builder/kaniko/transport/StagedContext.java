package dev.launchkit.builder.kaniko.transport;

import java.util.Objects;

/**
 * A build context handed over to the cluster.
 *
 * @param kanikoContext what Kaniko gets as {@code --context}, e.g. {@code s3://bucket/ctx/run.tgz} or
 *                      {@code tar:///context/run.tgz}
 * @param location      where the archive is, for deleting it and for logs (an object URI or a file path)
 */
public record StagedContext(String kanikoContext, String location) {
    public StagedContext {
        Objects.requireNonNull(kanikoContext, "kanikoContext");
        Objects.requireNonNull(location, "location");
    }
}
