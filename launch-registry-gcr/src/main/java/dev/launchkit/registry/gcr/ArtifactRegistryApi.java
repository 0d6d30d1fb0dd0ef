package dev.launchkit.registry.gcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The one Artifact Registry REST call the plugin needs: {@code GET v1/projects/*}{@code /locations/*}{@code
 * /repositories/*} (https://cloud.google.com/artifact-registry/docs/reference/rest/v1/projects.locations.repositories/get),
 * to tell at startup a missing repository from a missing permission. Plain JSON over the JDK client: the generated
 * gRPC/HttpJson client would add ~40 jars for this.
 */
final class ArtifactRegistryApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the API said about a repository. */
    record Answer(int status, String format, String message) {
    }

    private final URI base;
    private final HttpClient http;

    ArtifactRegistryApi(URI base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    URI base() {
        return base;
    }

    /**
     * @return status 200 with the repository's {@code format} (e.g. {@code DOCKER}), or the error status and the
     *         API's message
     * @throws IOException when the API cannot be reached
     */
    Answer repository(String project, String location, String repository, String accessToken)
            throws IOException, InterruptedException {
        URI uri = URI.create(base + "/v1/projects/" + project + "/locations/" + location + "/repositories/"
                + repository);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + accessToken).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        if (r.statusCode() == 200) {
            return new Answer(200, body.path("format").asText(""), "");
        }
        return new Answer(r.statusCode(), "", body.path("error").path("message").asText(""));
    }
}
