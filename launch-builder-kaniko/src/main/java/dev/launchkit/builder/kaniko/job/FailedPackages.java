package dev.launchkit.builder.kaniko.job;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the marker the generated image's bootstrap prints when some pinned packages could not be installed
 * ({@code ERROR: Failed to install: a,b. During automated build process.}, the W&B agent's marker) in Kaniko log
 * text. The build still succeeds; the agent reports the packages as a {@code build} warning.
 */
public final class FailedPackages {
    /** The warning W&B sends, followed here by the package names. */
    public static final String WARNING = "Some packages were not successfully installed during the build";
    private static final Pattern MARKER = Pattern.compile("ERROR: Failed to install: (.*?)\\. During automated build process\\.");

    private FailedPackages() {
    }

    /** The package names of every marker in {@code log}, in order, without duplicates. */
    public static List<String> find(String log) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = MARKER.matcher(log);
        while (m.find()) {
            for (String p : m.group(1).split(",")) {
                if (!p.isBlank()) {
                    out.add(p.strip());
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** The warning for these packages. */
    public static String warning(List<String> packages) {
        return WARNING + ": " + String.join(", ", packages)
                + ". The image was built without them; pin versions that install on Linux, or drop them";
    }
}
