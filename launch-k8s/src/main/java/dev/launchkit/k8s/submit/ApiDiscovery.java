package dev.launchkit.k8s.submit;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Finds the resource name (plural) of a kind through the API server's discovery documents
 * ({@code /apis/<group>/<version>}), which every authenticated user may read — unlike CRD objects, which the agent's
 * namespaced RBAC cannot. {@code kind + "s"} (W&B) is wrong for {@code Policy}, {@code Ingress} and the like.
 *
 * <p>Results are cached per group/version; a kind not found in a cached document triggers one fresh read (a CRD
 * installed after the agent started). Thread-safe.
 */
public final class ApiDiscovery {
    private final ApiClient client;
    private final ApiCalls calls;
    private final Map<String, V1APIResourceList> cache = new ConcurrentHashMap<>();

    /**
     * A served resource.
     *
     * @param plural     the resource name, e.g. {@code pytorchjobs}
     * @param namespaced whether objects of it live in namespaces
     */
    public record Resource(String plural, boolean namespaced) {
    }

    ApiDiscovery(ApiClient client, ApiCalls calls) {
        this.client = client;
        this.calls = calls;
    }

    /**
     * The resource serving {@code kind} in {@code apiVersion}.
     *
     * @throws LaunchException at stage {@link Stage#AGENT} when the cluster does not serve the kind, naming what it
     *                         does serve in that group/version
     */
    public Resource resolve(String apiVersion, String kind) {
        V1APIResourceList list = cache.get(apiVersion);
        java.util.Optional<V1APIResource> found = list == null ? java.util.Optional.empty() : find(list, kind);
        if (found.isEmpty()) {
            list = read(apiVersion, kind);
            cache.put(apiVersion, list);
            found = find(list, kind);
        }
        V1APIResource r = found.orElseThrow(() -> notServed(apiVersion, kind, cache.get(apiVersion)));
        return new Resource(r.getName(), Boolean.TRUE.equals(r.getNamespaced()));
    }

    private static java.util.Optional<V1APIResource> find(V1APIResourceList list, String kind) {
        // Subresources (pytorchjobs/status) report the parent's kind too; the resource itself has no '/'.
        return list.getResources().stream()
                .filter(r -> kind.equals(r.getKind()) && !r.getName().contains("/"))
                .findFirst();
    }

    private V1APIResourceList read(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        ApiCalls.Action action = new ApiCalls.Action("get", "discovery of " + apiVersion, "", "");
        try {
            return calls.retrying(action, () -> group.isEmpty()
                    ? new CoreV1Api(client).getAPIResources().execute()
                    : new CustomObjectsApi(client).getAPIResources(group, version).execute());
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.apiVersion: the cluster does not "
                        + "serve " + apiVersion + " (404 from its discovery); install the operator that provides "
                        + kind + " or fix apiVersion", e);
            }
            throw new LaunchException(Stage.AGENT, "could not read the API discovery document of " + apiVersion
                    + " to find the resource of kind " + kind + ": " + ApiCalls.describe(action, e), e);
        }
    }

    private static LaunchException notServed(String apiVersion, String kind, V1APIResourceList list) {
        List<String> kinds = list == null ? List.of() : list.getResources().stream()
                .filter(r -> !r.getName().contains("/")).map(V1APIResource::getKind).distinct()
                .collect(Collectors.toList());
        return new LaunchException(Stage.AGENT, "resource_args.kubernetes.kind: the cluster serves no kind '" + kind
                + "' in " + apiVersion + (kinds.isEmpty() ? "" : " (it serves " + String.join(", ", kinds) + ")")
                + "; fix kind or apiVersion, or install the CRD");
    }
}
