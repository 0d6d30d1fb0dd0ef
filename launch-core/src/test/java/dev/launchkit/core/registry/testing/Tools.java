package dev.launchkit.core.registry.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Finds the external programs the registry tests start (Debian {@code docker-registry}, {@code skopeo},
 * {@code htpasswd}, npm {@code azurite}), runs them, and gives out free loopback ports. A missing program fails the
 * test with the command that installs it: CI must install them, a silent skip would hide that.
 */
public final class Tools {
    /** The packages CI installs (see scripts/install-test-tools.sh). */
    public static final String INSTALL_HINT = "install the test tools with scripts/install-test-tools.sh, or: "
            + "apt-get install -y docker-registry skopeo apache2-utils";

    private Tools() {
    }

    /** The absolute path of {@code program}, from PATH or the usual system directories. */
    public static Path require(String program, String installCommand) {
        return find(program).orElseThrow(() -> new AssertionError("'" + program + "' is not installed; this test "
                + "starts it on 127.0.0.1. Install it with: " + installCommand));
    }

    /** The absolute path of {@code program}, if it is installed. */
    public static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        Stream<String> dirs = Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)),
                Stream.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin"));
        return dirs.filter(d -> !d.isBlank()).map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
    }

    /** A TCP port free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port on 127.0.0.1", e);
        }
    }

    /** What a finished command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
        public Result requireSuccess(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed with exit code " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    /** Runs a command to completion (at most {@code timeout}), capturing its output. */
    public static Result run(List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile("launchkit-cmd", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                        .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out after " + timeout + ": " + command);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; fails after {@code deadline}. */
    public static void await(BooleanSupplier condition, Duration deadline, String what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Deletes a directory tree, ignoring what cannot be deleted. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind does no harm
        }
    }

    /** Stops a process this test started, and its children, waiting briefly for it to go. */
    public static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
