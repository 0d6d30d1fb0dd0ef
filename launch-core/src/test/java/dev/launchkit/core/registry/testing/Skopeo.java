package dev.launchkit.core.registry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Debian's {@code skopeo}: seeds registries with a tiny OCI image (an empty layer, written here as an OCI image
 * layout) and proves that a generated docker {@code config.json} really logs in ({@code --authfile}), the way
 * Kaniko will read it. No Docker daemon needed.
 */
public final class Skopeo {
    private Skopeo() {
    }

    private static Path binary() {
        return Tools.require("skopeo", "apt-get install -y skopeo");
    }

    /**
     * Pushes a small image to {@code reference} ({@code 127.0.0.1:port/repo:tag}) over plain HTTP.
     *
     * @param credentials {@code user:password} for the destination, if it needs any
     */
    public static void push(String reference, Optional<String> credentials) {
        Path layout = null;
        try {
            layout = ociLayout(reference);
            List<String> cmd = new ArrayList<>(List.of(binary().toString(), "--insecure-policy", "copy", "--quiet",
                    "--dest-tls-verify=false"));
            credentials.ifPresentOrElse(c -> cmd.add("--dest-creds=" + c), () -> cmd.add("--dest-no-creds"));
            cmd.add("oci:" + layout + ":image");
            cmd.add("docker://" + reference);
            Tools.run(cmd, Duration.ofSeconds(60)).requireSuccess("skopeo copy to " + reference);
        } catch (IOException e) {
            throw new AssertionError("could not write the test image", e);
        } finally {
            Tools.deleteTree(layout);
        }
    }

    /** {@code skopeo inspect --authfile <authFile> docker://<reference>} over plain HTTP; exit 0 means logged in. */
    public static Tools.Result inspect(String reference, Path authFile) {
        return Tools.run(List.of(binary().toString(), "--insecure-policy", "inspect", "--raw", "--tls-verify=false",
                "--authfile", authFile.toString(), "docker://" + reference), Duration.ofSeconds(60));
    }

    /** Writes an OCI image layout holding one image with an empty layer, labelled with {@code label}. */
    private static Path ociLayout(String label) throws IOException {
        Path dir = Files.createTempDirectory("launchkit-oci");
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        byte[] tar = new byte[1024]; // an empty tar archive: two zero blocks
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] layer = gz.toByteArray();
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"launchkit.test\":\""
                + label + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + sha256(tar) + "\"]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                + sha256(configBytes) + "\",\"size\":" + configBytes.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
                + sha256(layer) + "\",\"size\":" + layer.length + "}]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        Files.write(blobs.resolve(sha256(layer)), layer);
        Files.write(blobs.resolve(sha256(configBytes)), configBytes);
        Files.write(blobs.resolve(sha256(manifestBytes)), manifestBytes);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + sha256(manifestBytes)
                + "\",\"size\":" + manifestBytes.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"image\"}}]}");
        return dir;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
