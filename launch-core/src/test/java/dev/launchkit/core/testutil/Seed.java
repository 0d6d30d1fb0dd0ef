package dev.launchkit.core.testutil;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The seed fixtures of launch-testkit, read from the sibling module's sources (launch-core cannot depend on
 * launch-testkit, which depends on it).
 */
public final class Seed {
    private Seed() {
    }

    public static Path path(String name) {
        Path p = Path.of("..", "launch-testkit", "src", "main", "resources", "dev", "launchkit", "testkit", "seed", name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("seed fixture " + p.toAbsolutePath() + " is missing; run the tests from the "
                    + "launch-core module directory of a full checkout");
        }
        return p;
    }

    public static String text(String name) {
        try {
            return Files.readString(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed's Kubernetes queue configuration ("create a queue"), as JSON. */
    public static ObjectNode queueK8sJob() {
        try {
            return (ObjectNode) new YAMLMapper().readTree(text("queue-k8s-job.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
