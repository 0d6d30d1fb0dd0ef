package dev.launchkit.registry.ecr.fakes;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/** Runs Debian's {@code skopeo} (a Docker-free registry client) and writes the tiny OCI image it pushes. */
public final class Skopeo {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Exit code and combined output. */
    public record Result(int exitCode, String output) {
    }

    private Skopeo() {
    }

    /**
     * Runs skopeo. Any proxy variable points at a closed port on 127.0.0.1 (with 127.0.0.1 itself exempt), so a
     * mistake that makes skopeo contact another host fails instead of leaving the machine.
     */
    public static Result run(String... args) throws Exception {
        Path skopeo = LocalDockerRegistry.requireBinary("skopeo", "skopeo");
        List<String> command = new ArrayList<>(List.of(skopeo.toString(), "--insecure-policy"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("HTTP_PROXY", "http://127.0.0.1:9");
        pb.environment().put("HTTPS_PROXY", "http://127.0.0.1:9");
        pb.environment().put("NO_PROXY", "127.0.0.1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("skopeo did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Writes an OCI image layout with one image tagged {@code tag}: one empty gzip layer and a config. */
    public static Path writeOciLayout(Path dir, String tag) throws Exception {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        byte[] tar = new byte[1024]; // an empty tar: two zero blocks
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] layer = gz.toByteArray();
        String layerDigest = blob(blobs, layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
                + "[\"sha256:" + sha256(tar) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = blob(blobs, config);
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", configDigest).put("size", config.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                .put("digest", layerDigest).put("size", layer.length);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String manifestDigest = blob(blobs, manifestBytes);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", manifestDigest).put("size", manifestBytes.length)
                .putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return dir;
    }

    private static String blob(Path blobs, byte[] content) throws Exception {
        String hex = sha256(content);
        Files.write(blobs.resolve(hex), content);
        return "sha256:" + hex;
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
