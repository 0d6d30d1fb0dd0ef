package dev.launchkit.examples.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Starts a main class of this class path in a child JVM whose output goes to a file, and waits for its lines. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Starts {@code main} with {@code -Xmx<heap>} and the arguments; stdout and stderr go to {@code log}. */
    public static Process start(Class<?> main, String heap, Path log, String... args) throws IOException {
        return start(main, heap, "WARN", log, args);
    }

    /** As {@link #start(Class, String, Path, String...)}, logging at {@code logLevel}. */
    public static Process start(Class<?> main, String heap, String logLevel, Path log, String... args)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Under surefire the JVM's own class path may be a manifest-only booter jar; the test class path is the list.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-DLAUNCHKIT_LOG_LEVEL=" + logLevel, "-cp", classpath, main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Waits for a line starting with {@code prefix} in the child's log.
     *
     * @return the line, or empty when the child exited or the time ran out first
     */
    public static Optional<String> awaitLine(Process p, Path log, String prefix, Duration timeout)
            throws IOException, InterruptedException {
        return await(p, log, line -> line.startsWith(prefix), timeout);
    }

    /** Like {@link #awaitLine}, for a line containing {@code text} anywhere (after a log line's timestamp). */
    public static Optional<String> awaitLogged(Process p, Path log, String text, Duration timeout)
            throws IOException, InterruptedException {
        return await(p, log, line -> line.contains(text), timeout);
    }

    private static Optional<String> await(Process p, Path log, Predicate<String> wanted, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                // Only whole lines: the child may be halfway through writing the last one.
                String text = Files.readString(log, StandardCharsets.UTF_8);
                int end = text.lastIndexOf('\n');
                for (String line : end < 0 ? new String[0] : text.substring(0, end).split("\r?\n")) {
                    if (wanted.test(line)) {
                        return Optional.of(line);
                    }
                }
            }
            if (!p.isAlive()) {
                return Optional.empty();
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }
}
