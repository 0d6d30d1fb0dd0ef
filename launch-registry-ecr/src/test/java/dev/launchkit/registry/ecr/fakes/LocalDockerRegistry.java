package dev.launchkit.registry.ecr.fakes;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution v2) on 127.0.0.1 with htpasswd basic auth, started and stopped by
 * the test. Its packaged config listens on all interfaces, so a temporary config is written instead.
 */
public final class LocalDockerRegistry implements AutoCloseable {
    private final Process process;
    private final int port;

    private LocalDockerRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a registry that accepts only {@code user}/{@code password}. */
    public static LocalDockerRegistry start(Path dir, String user, String password) throws Exception {
        Path registry = requireBinary("docker-registry", "docker-registry");
        Path htpasswd = requireBinary("htpasswd", "apache2-utils");
        Process hash = new ProcessBuilder(htpasswd.toString(), "-Bbn", user, password).redirectErrorStream(true)
                .start();
        String line = new String(hash.getInputStream().readAllBytes()).strip();
        if (hash.waitFor() != 0) {
            fail("htpasswd failed: " + line);
        }
        Files.writeString(dir.resolve("htpasswd"), line + "\n");
        Files.createDirectories(dir.resolve("data"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), String.join("\n", List.of(
                "version: 0.1",
                "log: {level: error}",
                "storage: {filesystem: {rootdirectory: " + dir.resolve("data") + "}, delete: {enabled: true}}",
                "http: {addr: 127.0.0.1:" + port + "}",
                "auth: {htpasswd: {realm: basic-realm, path: " + dir.resolve("htpasswd") + "}}", "")));
        Process p = new ProcessBuilder(registry.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalDockerRegistry r = new LocalDockerRegistry(p, port);
        r.awaitReady(dir, Duration.ofSeconds(15));
        return r;
    }

    /** {@code 127.0.0.1:<port>}, the host key of a docker config for this registry. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    private void awaitReady(Path dir, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL()
                        .openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(50); // poll interval, bounded by the deadline above
        }
        fail("docker-registry did not answer on " + host() + " within " + timeout);
    }

    /**
     * The path of a binary the test needs, or a failure saying which Debian package to install.
     */
    public static Path requireBinary(String name, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail(name + " is not installed; this test needs it: apt-get install -y " + debianPackage
                + " (scripts/install-test-tools.sh installs docker-registry, skopeo and apache2-utils)");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
