package dev.launchkit.wandb.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Downloads the files of one artifact version: its manifest ({@code FetchArtifactManifest} → signed URL), the
 * signed URLs of its files ({@code GetArtifactFileUrls}, page by page), then each file, checked against the
 * manifest's MD5 digest. Files land under the target directory only (names that would escape it are refused).
 */
final class ArtifactFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 100;

    private final WandbClient client;

    ArtifactFiles(WandbClient client) {
        this.client = client;
    }

    /**
     * Downloads every file of artifact {@code artifactId} into {@code target}.
     *
     * @param what the artifact's name, for messages
     * @return the file names written
     * @throws ArtifactException saying what went wrong
     */
    List<String> download(String artifactId, String what, Path target) {
        Map<String, JsonNode> manifest = manifest(artifactId, what);
        Map<String, URI> urls = fileUrls(artifactId, what);
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : manifest.entrySet()) {
            String name = e.getKey();
            JsonNode entry = e.getValue();
            if (entry.hasNonNull("ref")) {
                throw new ArtifactException("artifact " + what + " references the external file " + name + " ("
                        + entry.get("ref").asText() + "); LaunchKit downloads only files stored in W&B");
            }
            URI url = urls.get(name);
            if (url == null) {
                throw new ArtifactException("W&B returned no download URL for file " + name + " of artifact " + what);
            }
            Path file = target.resolve(name).normalize();
            if (!file.startsWith(target.normalize()) || name.isBlank()) {
                throw new ArtifactException("artifact " + what + " has a file named '" + name + "' that would be "
                        + "written outside its directory; refusing it");
            }
            client.download(url, file, "file " + name + " of artifact " + what);
            String digest = entry.path("digest").asText("");
            if (!digest.isEmpty() && !digest.equals(md5(file))) {
                throw new ArtifactException("file " + name + " of artifact " + what + " does not match its manifest "
                        + "digest; the download may be corrupt, try again");
            }
            written.add(name);
        }
        return written;
    }

    private Map<String, JsonNode> manifest(String artifactId, String what) {
        ObjectNode vars = client.variables();
        vars.put("id", artifactId);
        JsonNode artifact = client.execute(Operations.FETCH_ARTIFACT_MANIFEST, vars).path("artifact");
        String url = artifact.path("currentManifest").path("file").path("directUrl").asText("");
        if (url.isEmpty()) {
            throw new ArtifactException("W&B returned no manifest for artifact " + what);
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(client.fetch(URI.create(url), "the manifest of artifact " + what));
        } catch (IOException e) {
            throw new ArtifactException("the manifest of artifact " + what + " is not JSON: " + e.getMessage());
        }
        JsonNode contents = manifest == null ? null : manifest.path("contents");
        if (contents == null || !contents.isObject()) {
            throw new ArtifactException("the manifest of artifact " + what + " lists no contents");
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        contents.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private Map<String, URI> fileUrls(String artifactId, String what) {
        Map<String, URI> out = new LinkedHashMap<>();
        String cursor = null;
        for (int page = 0; page < 10_000; page++) {
            ObjectNode vars = client.variables();
            vars.put("id", artifactId);
            if (cursor == null) {
                vars.putNull("cursor");
            } else {
                vars.put("cursor", cursor);
            }
            vars.put("perPage", PAGE);
            JsonNode files = client.execute(Operations.GET_ARTIFACT_FILE_URLS, vars).path("artifact").path("files");
            if (!files.isObject()) {
                throw new ArtifactException("W&B returned no file list for artifact " + what);
            }
            for (JsonNode edge : files.path("edges")) {
                JsonNode node = edge.path("node");
                String url = node.path("directUrl").asText("");
                if (!url.isEmpty()) {
                    out.put(node.path("name").asText(), URI.create(url));
                }
            }
            JsonNode info = files.path("pageInfo");
            if (!info.path("hasNextPage").asBoolean(false)) {
                return out;
            }
            cursor = info.path("endCursor").asText(null);
            if (cursor == null) {
                return out;
            }
        }
        return out;
    }

    private static String md5(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (IOException e) {
            throw new ArtifactException("cannot read the downloaded file " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A download problem that is not a transport error. */
    static final class ArtifactException extends WandbException {
        private static final long serialVersionUID = 1L;

        ArtifactException(String message) {
            super("artifact", message);
        }
    }
}
