package dev.launchkit.k8s.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.k8s.KubeObjectRef;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.io.IOException;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The few calls the monitor makes on single objects: get, list, delete with background propagation, merge-patch
 * an annotation, read a pod log.
 *
 * <p>Requests are built by the official client's API classes; responses are read as JSON trees or text instead of
 * the client's strict typed models, which reject fields they do not know and cannot read a delete response that is
 * the object rather than a {@code Status}. The generic {@code /apis/{group}/{version}/...} endpoints serve batch
 * Jobs exactly as they serve custom resources.
 */
final class ObjectApi {
    private static final MediaType MERGE_PATCH = MediaType.get("application/merge-patch+json; charset=utf-8");

    private final ApiClient client;
    private final ObjectMapper json;

    ObjectApi(ApiClient client, ObjectMapper json) {
        this.client = client;
        this.json = json;
    }

    /** The object, or empty when it does not exist. */
    Optional<JsonNode> get(KubeObjectRef ref) throws ApiException, IOException {
        Call call = new CustomObjectsApi(client)
                .getNamespacedCustomObject(ref.group(), ref.version(), ref.namespace(), ref.plural(), ref.name())
                .buildCall(null);
        try (Response r = call.execute()) {
            if (r.code() == 404) {
                return Optional.empty();
            }
            String body = check(r, "read", ref.toString());
            JsonNode node = json.readTree(body);
            return Optional.of(node);
        }
    }

    /** The labelled objects of a kind in a namespace. */
    JsonNode list(String namespace, ResourceKind kind, String selector) throws ApiException, IOException {
        Call call = new CustomObjectsApi(client)
                .listNamespacedCustomObject(kind.group(), kind.version(), namespace, kind.plural())
                .labelSelector(selector).buildCall(null);
        try (Response r = call.execute()) {
            return json.readTree(check(r, "list", namespace + "/" + kind.plural()));
        }
    }

    /** The labelled pods of a namespace. */
    JsonNode listPods(String namespace, String selector) throws ApiException, IOException {
        Call call = new CoreV1Api(client).listNamespacedPod(namespace).labelSelector(selector).buildCall(null);
        try (Response r = call.execute()) {
            return json.readTree(check(r, "list", namespace + "/pods"));
        }
    }

    /**
     * Deletes with {@code propagationPolicy: Background}: the object goes at once and the garbage collector removes
     * its pods and owned Secrets. (A batch Job deleted without a policy orphans its pods, which keep running.)
     *
     * @return false when the object was already gone
     */
    boolean delete(KubeObjectRef ref) throws ApiException, IOException {
        Call call = new CustomObjectsApi(client)
                .deleteNamespacedCustomObject(ref.group(), ref.version(), ref.namespace(), ref.plural(), ref.name())
                .propagationPolicy("Background").buildCall(null);
        try (Response r = call.execute()) {
            if (r.code() == 404) {
                return false;
            }
            check(r, "delete", ref.toString());
            return true;
        }
    }

    /**
     * Sets one annotation with a JSON merge patch (strategic merge patch is not implemented for custom resources).
     *
     * @return false when the object is gone
     */
    boolean annotate(KubeObjectRef ref, String key, String value) throws ApiException, IOException {
        Call template = new CustomObjectsApi(client)
                .patchNamespacedCustomObject(ref.group(), ref.version(), ref.namespace(), ref.plural(), ref.name(),
                        new V1Patch("{}"))
                .buildCall(null);
        String body = json.writeValueAsString(json.createObjectNode().set("metadata",
                json.createObjectNode().set("annotations", json.createObjectNode().put(key, value))));
        // The generated request picks a JSON-patch content type; the body and its type are set here explicitly.
        Request request = template.request().newBuilder().patch(RequestBody.create(body, MERGE_PATCH)).build();
        try (Response r = client.getHttpClient().newCall(request).execute()) {
            if (r.code() == 404) {
                return false;
            }
            check(r, "annotate", ref.toString());
            return true;
        }
    }

    /**
     * A pod log: the last {@code tailLines} lines of a container, or (with {@code follow}) a stream to read until the
     * container stops.
     */
    Call podLog(String namespace, String pod, String container, Integer tailLines, boolean follow) throws ApiException {
        CoreV1Api.APIreadNamespacedPodLogRequest r = new CoreV1Api(client).readNamespacedPodLog(pod, namespace)
                .container(container.isEmpty() ? null : container);
        if (tailLines != null) {
            r = r.tailLines(tailLines);
        }
        if (follow) {
            r = r.follow(true);
        }
        return r.buildCall(null);
    }

    private String check(Response r, String verb, String what) throws IOException, ApiException {
        ResponseBody b = r.body();
        String body = b == null ? "" : b.string();
        if (!r.isSuccessful()) {
            throw new ApiException(r.code(), "could not " + verb + " " + what + ": HTTP " + r.code() + " "
                    + serverMessage(body));
        }
        return body;
    }

    /** The {@code message} of a Kubernetes {@code Status} body, or the start of the body. */
    private String serverMessage(String body) {
        try {
            JsonNode m = json.readTree(body).path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: quote the text itself
        }
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
