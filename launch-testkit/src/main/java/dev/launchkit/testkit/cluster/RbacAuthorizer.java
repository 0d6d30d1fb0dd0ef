package dev.launchkit.testkit.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The simulated cluster's authorizer: Kubernetes RBAC evaluated over the Roles, RoleBindings, ClusterRoles and
 * ClusterRoleBindings stored in the mock API server, for one configurable identity.
 *
 * <p>It answers {@code POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews} (resource and non-resource
 * attributes) and, while an identity is set, refuses every other client request the identity may not make with the
 * API server's 403 {@code Status}. Without an identity everything is allowed, as in a cluster where the caller is
 * an administrator. The simulator's own requests are never checked.
 *
 * <p>Semantics follow the API server's RBAC authorizer: a rule matches when its verbs, apiGroups and resources
 * (with {@code *} wildcards, {@code resource/subresource} and {@code *}{@code /subresource}) and, if it lists any,
 * resourceNames match; RoleBindings apply only in their namespace, to a Role there or to a ClusterRole's rules;
 * ClusterRoleBindings apply everywhere. ServiceAccount identities {@code system:serviceaccount:<ns>:<name>} carry
 * the groups {@code system:serviceaccounts}, {@code system:serviceaccounts:<ns>} and {@code system:authenticated}.
 * Not evaluated: aggregated ClusterRoles ({@code aggregationRule}), and the default discovery roles (discovery and
 * access reviews are always allowed).
 */
public final class RbacAuthorizer {
    static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
    private static final String REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    private static final String SA_PREFIX = "system:serviceaccount:";
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    private volatile Identity identity;

    /** Who the requests come from: a user name and its groups. */
    record Identity(String user, List<String> groups) {
        static Identity of(String user) {
            List<String> groups = new ArrayList<>();
            if (user.startsWith(SA_PREFIX)) {
                String[] parts = user.substring(SA_PREFIX.length()).split(":", 2);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new IllegalArgumentException("'" + user + "' is not a service account identity; use "
                            + "system:serviceaccount:<namespace>:<name>");
                }
                groups.add("system:serviceaccounts");
                groups.add("system:serviceaccounts:" + parts[0]);
            }
            groups.add("system:authenticated");
            return new Identity(user, List.copyOf(groups));
        }
    }

    /**
     * What is asked: a verb on a resource (namespace empty for cluster scope; group empty for the core group) or,
     * when {@code nonResourcePath} is set, a verb on a non-resource URL.
     */
    record Attributes(String verb, String namespace, String group, String resource, String subresource, String name,
                      String nonResourcePath) {
        boolean isResource() {
            return nonResourcePath.isEmpty();
        }

        String combinedResource() {
            return subresource.isEmpty() ? resource : resource + "/" + subresource;
        }
    }

    /** The outcome, with the API server's kind of reason. */
    record Decision(boolean allowed, String reason) {
    }

    /** Requests from now on come from {@code user}; a ServiceAccount is {@code system:serviceaccount:<ns>:<name>}. */
    public void authenticateAs(String user) {
        identity = Identity.of(user);
    }

    /** Requests are from an administrator again: everything is allowed. */
    public void authenticateAsAdmin() {
        identity = null;
    }

    /**
     * Handles the request when it is an access review or a refused request; empty to let storage serve it.
     *
     * @param storage the CRUD dispatcher, to read the RBAC objects from
     */
    Optional<MockResponse> intercept(RecordedRequest request, Function<RecordedRequest, MockResponse> storage) {
        String path = request.getPath() == null ? "" : request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Identity who = identity;
        if ("POST".equals(request.getMethod()) && bare.equals(REVIEW_PATH)) {
            return Optional.of(review(request.getUtf8Body(), who, storage));
        }
        if (who == null || request.getHeader(SimulatedCluster.SIMULATOR_HEADER) != null) {
            return Optional.empty();
        }
        Attributes a = attributesOf(request.getMethod(), path);
        if (!a.isResource()) {
            return Optional.empty();
        }
        Decision d = decide(who, a, storage);
        if (d.allowed()) {
            return Optional.empty();
        }
        return Optional.of(new MockResponse().setResponseCode(403).setBody(forbidden(who, a)));
    }

    private MockResponse review(String body, Identity who, Function<RecordedRequest, MockResponse> storage) {
        JsonObject review;
        try {
            review = JsonParser.parseString(body).getAsJsonObject();
        } catch (RuntimeException e) {
            return new MockResponse().setResponseCode(400).setBody(status(400, "BadRequest",
                    "the SelfSubjectAccessReview is not a JSON object: " + e.getMessage()));
        }
        JsonObject spec = object(review, "spec");
        JsonObject ra = object(spec, "resourceAttributes");
        JsonObject nra = object(spec, "nonResourceAttributes");
        if (ra.size() == 0 && nra.size() == 0) {
            return new MockResponse().setResponseCode(422).setBody(status(422, "Invalid",
                    "SelfSubjectAccessReview.authorization.k8s.io is invalid: spec.resourceAttributes: Invalid "
                            + "value: exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }
        Attributes a = ra.size() > 0
                ? new Attributes(text(ra, "verb"), text(ra, "namespace"), text(ra, "group"), text(ra, "resource"),
                        text(ra, "subresource"), text(ra, "name"), "")
                : new Attributes(text(nra, "verb"), "", "", "", "", "", text(nra, "path"));
        Decision d = who == null ? new Decision(true, "no identity set: the simulated cluster allows everything")
                : decide(who, a, storage);
        JsonObject status = new JsonObject();
        status.addProperty("allowed", d.allowed());
        if (!d.reason().isEmpty()) {
            status.addProperty("reason", d.reason());
        }
        review.add("status", status);
        if (!review.has("apiVersion")) {
            review.addProperty("apiVersion", "authorization.k8s.io/v1");
        }
        if (!review.has("kind")) {
            review.addProperty("kind", "SelfSubjectAccessReview");
        }
        return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
                .setBody(review.toString());
    }

    /** Evaluates RBAC for one request. */
    Decision decide(Identity who, Attributes a, Function<RecordedRequest, MockResponse> storage) {
        for (JsonObject binding : items(storage, RBAC + "/clusterrolebindings")) {
            if (!bindsTo(binding, who, "") || !"ClusterRole".equals(text(object(binding, "roleRef"), "kind"))) {
                continue;
            }
            String role = text(object(binding, "roleRef"), "name");
            if (rulesAllow(clusterRole(storage, role), a)) {
                return new Decision(true, "RBAC: allowed by ClusterRoleBinding \"" + name(binding) + "\" of "
                        + "ClusterRole \"" + role + "\" to " + who.user());
            }
        }
        if (a.isResource() && !a.namespace().isEmpty()) {
            for (JsonObject binding : items(storage, RBAC + "/namespaces/" + a.namespace() + "/rolebindings")) {
                if (!bindsTo(binding, who, a.namespace())) {
                    continue;
                }
                JsonObject ref = object(binding, "roleRef");
                String kind = text(ref, "kind");
                String role = text(ref, "name");
                List<JsonObject> rules = "ClusterRole".equals(kind) ? clusterRole(storage, role)
                        : "Role".equals(kind) ? role(storage, a.namespace(), role) : List.of();
                if (rulesAllow(rules, a)) {
                    return new Decision(true, "RBAC: allowed by RoleBinding \"" + name(binding) + "/"
                            + a.namespace() + "\" of " + kind + " \"" + role + "\" to " + who.user());
                }
            }
        }
        return new Decision(false, "");
    }

    private static boolean bindsTo(JsonObject binding, Identity who, String bindingNamespace) {
        for (JsonElement e : array(binding, "subjects")) {
            if (!e.isJsonObject()) {
                continue;
            }
            JsonObject s = e.getAsJsonObject();
            String kind = text(s, "kind");
            String name = text(s, "name");
            switch (kind) {
                case "User" -> {
                    if (name.equals(who.user())) {
                        return true;
                    }
                }
                case "Group" -> {
                    if (who.groups().contains(name)) {
                        return true;
                    }
                }
                case "ServiceAccount" -> {
                    // As the API server does: a ServiceAccount subject without a namespace means the binding's.
                    String ns = text(s, "namespace").isEmpty() ? bindingNamespace : text(s, "namespace");
                    if (!ns.isEmpty() && (SA_PREFIX + ns + ":" + name).equals(who.user())) {
                        return true;
                    }
                }
                default -> {
                    // unknown subject kinds bind nobody
                }
            }
        }
        return false;
    }

    static boolean rulesAllow(List<JsonObject> rules, Attributes a) {
        for (JsonObject rule : rules) {
            if (a.isResource() ? resourceRuleMatches(rule, a) : nonResourceRuleMatches(rule, a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean resourceRuleMatches(JsonObject rule, Attributes a) {
        if (!contains(rule, "verbs", a.verb()) || !contains(rule, "apiGroups", a.group())) {
            return false;
        }
        boolean resource = false;
        for (String r : strings(rule, "resources")) {
            if (r.equals("*") || r.equals(a.combinedResource())
                    || (!a.subresource().isEmpty() && r.equals("*/" + a.subresource()))) {
                resource = true;
                break;
            }
        }
        if (!resource) {
            return false;
        }
        List<String> names = strings(rule, "resourceNames");
        return names.isEmpty() || (!a.name().isEmpty() && names.contains(a.name()));
    }

    private static boolean nonResourceRuleMatches(JsonObject rule, Attributes a) {
        if (!contains(rule, "verbs", a.verb())) {
            return false;
        }
        for (String url : strings(rule, "nonResourceURLs")) {
            if (url.equals("*") || url.equals(a.nonResourcePath())
                    || (url.endsWith("*") && a.nonResourcePath().startsWith(url.substring(0, url.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonObject rule, String key, String value) {
        List<String> values = strings(rule, key);
        return values.contains("*") || values.contains(value);
    }

    private static List<JsonObject> clusterRole(Function<RecordedRequest, MockResponse> storage, String name) {
        return rules(get(storage, RBAC + "/clusterroles/" + name));
    }

    private static List<JsonObject> role(Function<RecordedRequest, MockResponse> storage, String ns, String name) {
        return rules(get(storage, RBAC + "/namespaces/" + ns + "/roles/" + name));
    }

    private static List<JsonObject> rules(Optional<JsonObject> role) {
        List<JsonObject> out = new ArrayList<>();
        role.ifPresent(r -> array(r, "rules").forEach(e -> {
            if (e.isJsonObject()) {
                out.add(e.getAsJsonObject());
            }
        }));
        return out;
    }

    private static List<JsonObject> items(Function<RecordedRequest, MockResponse> storage, String path) {
        List<JsonObject> out = new ArrayList<>();
        get(storage, path).ifPresent(list -> array(list, "items").forEach(e -> {
            if (e.isJsonObject()) {
                out.add(e.getAsJsonObject());
            }
        }));
        return out;
    }

    private static Optional<JsonObject> get(Function<RecordedRequest, MockResponse> storage, String path) {
        MockResponse r = storage.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path,
                Headers.builder().add(SimulatedCluster.SIMULATOR_HEADER, "authorizer").build(), new Buffer()));
        if (r == null || r.code() != 200 || r.getBody() == null) {
            return Optional.empty();
        }
        try {
            JsonElement e = JsonParser.parseString(new String(r.getBody().getBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
            return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The attributes of an API request, as the API server's request-info parser reads them: {@code /api/v1/...} or
     * {@code /apis/<group>/<version>/...}, {@code namespaces/<ns>/} scoping, name and subresource; the verb from the
     * method (GET without a name is list, or watch with {@code watch=true}; DELETE without a name is
     * deletecollection). Anything else is a non-resource request.
     */
    static Attributes attributesOf(String method, String fullPath) {
        String path = fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
        String query = fullPath.contains("?") ? fullPath.substring(fullPath.indexOf('?') + 1) : "";
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        String group;
        int start;
        if (parts.size() >= 3 && parts.get(0).equals("api")) {
            group = "";
            start = 2;
        } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            start = 3;
        } else {
            return new Attributes(method.toLowerCase(java.util.Locale.ROOT), "", "", "", "", "", path);
        }
        List<String> rest = parts.subList(start, parts.size());
        String namespace = "";
        if (rest.size() >= 2 && rest.get(0).equals("namespaces")) {
            namespace = rest.get(1);
            if (rest.size() >= 3 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                rest = rest.subList(2, rest.size());
            } else {
                // the namespace object itself (or its status/finalize)
                String sub = rest.size() >= 3 ? rest.get(2) : "";
                return new Attributes(verb(method, true, query), "", group, "namespaces", sub, namespace, "");
            }
        }
        String resource = rest.get(0);
        String name = rest.size() >= 2 ? rest.get(1) : "";
        String subresource = rest.size() >= 3 ? rest.get(2) : "";
        return new Attributes(verb(method, !name.isEmpty(), query), namespace, group, resource, subresource, name, "");
    }

    private static String verb(String method, boolean named, String query) {
        boolean watch = List.of(query.split("&")).stream().anyMatch(q -> q.equals("watch=true") || q.equals("watch=1"));
        return switch (method.toUpperCase(java.util.Locale.ROOT)) {
            case "GET", "HEAD" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String forbidden(Identity who, Attributes a) {
        String what = a.group().isEmpty() ? a.resource() : a.resource() + "." + a.group();
        String subject = a.name().isEmpty() ? what : what + " \"" + a.name() + "\"";
        String message = subject + " is forbidden: User \"" + who.user() + "\" cannot " + a.verb() + " resource \""
                + a.combinedResource() + "\" in API group \"" + a.group() + "\""
                + (a.namespace().isEmpty() ? " at the cluster scope" : " in the namespace \"" + a.namespace() + "\"");
        JsonObject details = new JsonObject();
        details.addProperty("kind", a.resource());
        if (!a.name().isEmpty()) {
            details.addProperty("name", a.name());
        }
        if (!a.group().isEmpty()) {
            details.addProperty("group", a.group());
        }
        JsonObject s = JsonParser.parseString(status(403, "Forbidden", message)).getAsJsonObject();
        s.add("details", details);
        return s.toString();
    }

    private static String status(int code, String reason, String message) {
        JsonObject s = new JsonObject();
        s.addProperty("kind", "Status");
        s.addProperty("apiVersion", "v1");
        s.add("metadata", new JsonObject());
        s.addProperty("status", "Failure");
        s.addProperty("message", message);
        s.addProperty("reason", reason);
        s.addProperty("code", code);
        return s.toString();
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    }

    private static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
    }

    private static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array(o, key)) {
            if (e.isJsonPrimitive()) {
                out.add(e.getAsString());
            }
        }
        return out;
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
    }

    private static String name(JsonObject o) {
        return text(object(o, "metadata"), "name");
    }
}
