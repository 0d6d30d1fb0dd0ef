package dev.launchkit.k8s.monitor.watch;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import okhttp3.Call;

/**
 * Builds the list and watch requests for one resource type in one namespace, with the official client's request
 * builders (so paths, query encoding and authentication are the client's).
 *
 * @param namespace  the namespace
 * @param apiVersion {@code v1}, {@code batch/v1}, {@code kubeflow.org/v1}, ...
 * @param kind       the kind, filled into list items (a real API server leaves it out of list items)
 * @param plural     the resource name in the URL ({@code pods}, {@code jobs}, {@code pytorchjobs})
 */
public record WatchSource(String namespace, String apiVersion, String kind, String plural) {

    /** Pods of a namespace. */
    public static WatchSource pods(String namespace) {
        return new WatchSource(namespace, "v1", "Pod", "pods");
    }

    /** {@code namespace/plural}, for thread names and logs. */
    public String describe() {
        return namespace + "/" + plural + (apiVersion.contains("/") ? "." + apiVersion.substring(0, apiVersion.indexOf('/')) : "");
    }

    /**
     * A list ({@code watch == false}) or watch request.
     *
     * @param resourceVersion where a watch starts; null for a list
     * @param timeoutSeconds  server-side timeout of a watch; ignored for a list
     */
    Call call(ApiClient client, String labelSelector, boolean watch, String resourceVersion, int timeoutSeconds)
            throws ApiException {
        if (apiVersion.equals("v1")) {
            if (!plural.equals("pods")) {
                throw new IllegalArgumentException("only pods are watched in the core API group, not " + plural);
            }
            CoreV1Api.APIlistNamespacedPodRequest r = new CoreV1Api(client).listNamespacedPod(namespace)
                    .labelSelector(labelSelector);
            if (watch) {
                r = r.watch(true).allowWatchBookmarks(true).resourceVersion(resourceVersion)
                        .timeoutSeconds(timeoutSeconds);
            }
            return r.buildCall(null);
        }
        int slash = apiVersion.indexOf('/');
        // The custom-objects endpoints are plain /apis/{group}/{version}/namespaces/{ns}/{plural} requests, which
        // serve built-in group resources such as batch/v1 jobs just as well; the body is read as JSON either way.
        CustomObjectsApi.APIlistNamespacedCustomObjectRequest r = new CustomObjectsApi(client)
                .listNamespacedCustomObject(apiVersion.substring(0, slash), apiVersion.substring(slash + 1), namespace,
                        plural)
                .labelSelector(labelSelector);
        if (watch) {
            r = r.watch(true).allowWatchBookmarks(true).resourceVersion(resourceVersion).timeoutSeconds(timeoutSeconds);
        }
        return r.buildCall(null);
    }
}
