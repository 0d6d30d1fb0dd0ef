package dev.launchkit.core.registry.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's {@code docker-registry} (CNCF distribution 2.8) started on 127.0.0.1 with a generated config, in one of
 * three modes: anonymous, htpasswd Basic auth, or token auth against a {@link TokenAuthServer}. The packaged
 * {@code /etc/docker/registry/config.yml} listens on all interfaces, so it is never used.
 *
 * <pre>{@code
 * try (LocalRegistry registry = LocalRegistry.withHtpasswd("AWS", "secret")) {
 *     registry.host(); // 127.0.0.1:41234
 * }
 * }</pre>
 */
public final class LocalRegistry implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** A registry that needs no authentication. */
    public static LocalRegistry plain() {
        return start("");
    }

    /** A registry that wants HTTP Basic auth for one user (bcrypt htpasswd, as distribution requires). */
    public static LocalRegistry withHtpasswd(String username, String password) {
        Path htpasswd = Tools.require("htpasswd", "apt-get install -y apache2-utils");
        Tools.Result r = Tools.run(List.of(htpasswd.toString(), "-Bbn", username, password), Duration.ofSeconds(20))
                .requireSuccess("htpasswd");
        try {
            Path file = Files.createTempFile("launchkit-htpasswd", "");
            Files.writeString(file, r.output().strip() + "\n", StandardCharsets.UTF_8);
            file.toFile().deleteOnExit();
            return start("auth:\n  htpasswd:\n    realm: basic-realm\n    path: " + file + "\n");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A registry that wants Bearer tokens issued by {@code tokens} (docker token authentication). */
    public static LocalRegistry withTokenAuth(TokenAuthServer tokens) {
        return start("auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + tokens.service()
                + "\n    issuer: " + tokens.issuer() + "\n    rootcertbundle: " + tokens.certificatePem() + "\n");
    }

    private static LocalRegistry start(String auth) {
        Path binary = Tools.require("docker-registry", "apt-get install -y docker-registry");
        int port = Tools.freePort();
        Path dir;
        try {
            dir = Files.createTempDirectory("launchkit-registry");
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                      cache:
                        blobdescriptor: inmemory
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    %s""".formatted(dir.resolve("data"), port, auth), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            LocalRegistry registry = new LocalRegistry(dir, port, process);
            try {
                Tools.await(() -> !process.isAlive() || registry.answers(), Duration.ofSeconds(20),
                        "docker-registry on 127.0.0.1:" + port);
                if (!process.isAlive()) {
                    throw new AssertionError("docker-registry exited at start:\n" + registry.log());
                }
            } catch (AssertionError e) {
                registry.close();
                throw e;
            }
            return registry;
        } catch (IOException e) {
            throw new AssertionError("could not start docker-registry", e);
        }
    }

    private boolean answers() {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve("/v2/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200 || r.statusCode() == 401;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code 127.0.0.1:<port>}, the registry part of image references. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://" + host());
    }

    /** What the registry logged so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        Tools.stop(process);
        Tools.deleteTree(dir);
    }
}
