package dev.launchkit.core.registry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The runtime closure of a plugin, read from the classpath file that {@code dependency:build-classpath} writes at
 * {@code generate-test-resources} ({@code target/runtime-classpath.txt}), to print its weight and check which HTTP
 * stacks it carries.
 *
 * @param entries the jars (and, inside the reactor, module class directories)
 */
public record DependencyWeight(List<Path> entries) {
    /** File-name fragments of HTTP stacks a plugin must not drag in when it runs on the JDK's HTTP client. */
    public static final List<String> FOREIGN_HTTP_STACKS = List.of("netty", "okhttp", "httpclient-4", "httpcore-4",
            "httpclient5", "httpcore5", "jetty-client", "vertx");

    /** Reads {@code target/runtime-classpath.txt} of the module under test. */
    public static DependencyWeight ofThisModule() {
        Path file = Path.of("target", "runtime-classpath.txt");
        try {
            String text = Files.readString(file).trim();
            return new DependencyWeight(Arrays.stream(text.split(java.io.File.pathSeparator))
                    .filter(s -> !s.isBlank()).map(Path::of).toList());
        } catch (IOException e) {
            throw new AssertionError(file + " is missing: run the module's tests through Maven (the "
                    + "dependency:build-classpath execution writes it)", e);
        }
    }

    /** The jar files (module class directories excluded). */
    public List<Path> jars() {
        return entries.stream().filter(p -> p.toString().endsWith(".jar")).toList();
    }

    /** Total size in bytes of all entries (directories summed file by file). */
    public long bytes() {
        return entries.stream().mapToLong(DependencyWeight::size).sum();
    }

    /** The entries whose file name names a foreign HTTP stack. */
    public List<String> foreignHttpStacks() {
        return entries.stream().map(p -> p.getFileName().toString())
                .filter(n -> FOREIGN_HTTP_STACKS.stream().anyMatch(n.toLowerCase(Locale.ROOT)::contains)).toList();
    }

    /** A report: one line per entry with its size, then the totals. */
    public String report(String plugin) {
        StringBuilder sb = new StringBuilder(plugin).append(" runtime closure:\n");
        entries.stream().sorted((a, b) -> Long.compare(size(b), size(a))).forEach(p -> sb.append(String.format(
                Locale.ROOT, "  %8.1f KB  %s%n", size(p) / 1024.0, name(p))));
        sb.append(String.format(Locale.ROOT, "%s: %d jars + %d module dirs, %.1f MB%n", plugin, jars().size(),
                entries.size() - jars().size(), bytes() / 1048576.0));
        return sb.toString();
    }

    private static String name(Path p) {
        // inside the reactor a module is its target/classes directory: name it by the module
        return Files.isDirectory(p) && p.getParent() != null && p.getParent().getParent() != null
                ? p.getParent().getParent().getFileName() + " (module classes)" : p.getFileName().toString();
    }

    private static long size(Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    return walk.filter(Files::isRegularFile).mapToLong(DependencyWeight::size).sum();
                }
            }
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
