package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keys a queue may not set under {@link SecurityPolicy#RESTRICTED} (reference §4.8): anything that reaches the
 * node (host namespaces, host paths, host ports), changes the identity of the pod (service accounts and their
 * tokens) or loosens the container sandbox ({@code securityContext}, which the agent sets itself, and unconfined
 * AppArmor/seccomp annotations). The whole manifest is scanned, every object and list, so custom resources are
 * covered wherever their pod templates sit.
 */
final class UnsafeKeys {
    private static final Set<String> PRESENCE = Set.of("hostPath", "serviceAccountToken");
    private static final Set<String> TRUTHY = Set.of("hostPID", "hostIPC", "hostNetwork", "shareProcessNamespace",
            "hostUsers", "automountServiceAccountToken", "hostPort");
    private static final Set<String> NON_EMPTY = Set.of("serviceAccountName", "serviceAccount");

    /**
     * A refused key.
     *
     * @param path   its key path in the queue's resource args, e.g. {@code spec.template.spec.hostNetwork}
     * @param reason why it is refused
     */
    record Violation(String path, String reason) {
        @Override
        public String toString() {
            return path + " (" + reason + ")";
        }
    }

    private UnsafeKeys() {
    }

    /** Every refused key of the tree, in document order; empty when the manifest is acceptable. */
    static List<Violation> scan(JsonNode tree) {
        List<Violation> out = new ArrayList<>();
        walk(tree, "", out);
        return out;
    }

    private static void walk(JsonNode node, String path, List<Violation> out) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), JsonTrees.path(path, i), out);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            String at = JsonTrees.path(path, key);
            if (key.equals("securityContext") && !value.isNull()) {
                out.add(securityContext(value, at));
                continue;
            }
            if (PRESENCE.contains(key) && !value.isNull()) {
                out.add(new Violation(at, key.equals("hostPath")
                        ? "host paths give the pod the node's file system"
                        : "service account tokens give the pod an identity in the cluster"));
            } else if (TRUTHY.contains(key) && truthy(value)) {
                out.add(new Violation(at, key.equals("automountServiceAccountToken")
                        ? "mounting the service account token gives the pod an identity in the cluster"
                        : "shares the node's " + (key.equals("hostPort") ? "network ports" : "namespaces")));
            } else if (NON_EMPTY.contains(key) && value.isTextual() && !value.asText().isBlank()) {
                out.add(new Violation(at, "queues may not choose the service account runs use"));
            } else if (key.equals("mountPropagation") && value.asText("").equalsIgnoreCase("Bidirectional")) {
                out.add(new Violation(at, "Bidirectional mount propagation reaches the node's mounts"));
            } else if (key.equals("annotations") && value.isObject()) {
                annotations(value, at, out);
            }
            walk(value, at, out);
        }
    }

    /** A submitted securityContext is refused; the most specific unsafe setting inside it is named when there is one. */
    private static Violation securityContext(JsonNode sc, String at) {
        if (truthy(sc.path("privileged"))) {
            return new Violation(at + ".privileged", "privileged containers control the node");
        }
        if (sc.path("capabilities").path("add").size() > 0) {
            return new Violation(at + ".capabilities.add", "added Linux capabilities widen the sandbox");
        }
        if (sc.path("runAsUser").isNumber() && sc.path("runAsUser").asLong() == 0) {
            return new Violation(at + ".runAsUser", "runs as root");
        }
        if (truthy(sc.path("allowPrivilegeEscalation"))) {
            return new Violation(at + ".allowPrivilegeEscalation", "lets processes gain privileges");
        }
        if (sc.path("seccompProfile").path("type").asText("").equalsIgnoreCase("Unconfined")) {
            return new Violation(at + ".seccompProfile.type", "turns seccomp off");
        }
        if (sc.path("appArmorProfile").path("type").asText("").equalsIgnoreCase("Unconfined")) {
            return new Violation(at + ".appArmorProfile.type", "turns AppArmor off");
        }
        if (sc.path("procMount").asText("").equalsIgnoreCase("Unmasked")) {
            return new Violation(at + ".procMount", "unmasks /proc");
        }
        if (truthy(sc.path("windowsOptions").path("hostProcess"))) {
            return new Violation(at + ".windowsOptions.hostProcess", "runs as a host process");
        }
        return new Violation(at, "the agent sets every container's securityContext itself");
    }

    private static void annotations(JsonNode annotations, String at, List<Violation> out) {
        annotations.fields().forEachRemaining(a -> {
            String k = a.getKey().toLowerCase(Locale.ROOT);
            if ((k.contains("apparmor") || k.contains("seccomp"))
                    && a.getValue().asText("").toLowerCase(Locale.ROOT).contains("unconfined")) {
                out.add(new Violation(at + "." + a.getKey(), "turns the sandbox off"));
            }
        });
    }

    /** W&B's notion: true, a non-zero number, or the strings 1, true, yes. */
    static boolean truthy(JsonNode v) {
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.doubleValue() != 0;
        }
        if (v.isTextual()) {
            String s = v.asText().strip().toLowerCase(Locale.ROOT);
            return s.equals("1") || s.equals("true") || s.equals("yes");
        }
        return false;
    }
}
