package dev.launchkit.examples.cli;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.config.YamlTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a queue's resource config file the way {@code render} and {@code validate} need it. */
final class QueueConfigCheck {
    private QueueConfigCheck() {
    }

    /** The parsed config, or a {@link ConfigException} naming the file and line. */
    static ConfigNode read(Path file) {
        try {
            return YamlTree.parse(Files.readString(file), file.getFileName().toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Problems with a queue config file; empty when it is a usable resource config. */
    static List<String> check(Path file) {
        List<String> errors = new ArrayList<>();
        try {
            ConfigNode node = read(file);
            node.object();
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        return errors;
    }
}
