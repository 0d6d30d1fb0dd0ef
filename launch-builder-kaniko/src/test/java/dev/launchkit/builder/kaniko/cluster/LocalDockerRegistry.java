package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.fail;

import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (CNCF distribution 2.8) on 127.0.0.1 without auth, started and stopped by the
 * test, plus the two registry API calls the test needs (OCI distribution spec): pushing a minimal image the way
 * Kaniko would (blob upload, then manifest), and {@code HEAD /v2/<repo>/manifests/<tag>} behind the Registry SPI.
 */
final class LocalDockerRegistry implements AutoCloseable {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalDockerRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static LocalDockerRegistry start(Path dir) throws Exception {
        Path binary = Path.of("/usr/bin/docker-registry");
        if (!Files.isExecutable(binary)) {
            fail("docker-registry is not installed; this test needs it: apt-get install -y docker-registry "
                    + "(scripts/install-test-tools.sh installs it)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("config.yml"), String.join("\n", List.of(
                "version: 0.1",
                "log: {level: error}",
                "storage: {filesystem: {rootdirectory: " + dir.resolve("data") + "}, delete: {enabled: true}}",
                "http: {addr: 127.0.0.1:" + port + "}", "")));
        Process p = new ProcessBuilder(binary.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalDockerRegistry r = new LocalDockerRegistry(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                if (r.send(HttpRequest.newBuilder(r.uri("/v2/")).GET()).statusCode() == 200) {
                    return r;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(50); // poll interval, bounded by the deadline
        }
        r.close();
        return fail("docker-registry did not answer on 127.0.0.1:" + port);
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    /** Pushes an image with an empty config and no layers under {@code repository:tag}. */
    void push(String repository, String tag) throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(config));
        HttpResponse<String> start = send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = URI.create(location.startsWith("http") ? location : "http://" + host() + location);
        String sep = put.getQuery() == null ? "?" : "&";
        expect(send(HttpRequest.newBuilder(URI.create(put + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(config))), 201);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest + "\",\"size\":" + config.length
                + "},\"layers\":[]}";
        expect(send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofString(manifest))), 201);
    }

    /** The repository behind the Registry SPI, anonymous, with the existence check over the registry API. */
    Registry repository(String repository) {
        return new Registry() {
            @Override
            public String type() {
                return "generic";
            }

            @Override
            public String repositoryUri() {
                return LocalDockerRegistry.this.host() + "/" + repository;
            }

            @Override
            public Optional<RegistryCredentials> credentials() {
                return Optional.empty();
            }

            @Override
            public boolean imageExists(String tag) {
                try {
                    int code = send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                            .header("Accept", OCI_MANIFEST + ", application/vnd.docker.distribution.manifest.v2+json, "
                                    + "application/vnd.oci.image.index.v1+json, "
                                    + "application/vnd.docker.distribution.manifest.list.v2+json")
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode();
                    return code == 200;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    private URI uri(String path) {
        return URI.create("http://" + host() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void expect(HttpResponse<String> r, int code) {
        if (r.statusCode() != code) {
            fail("registry answered " + r.statusCode() + " " + r.body());
        }
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
