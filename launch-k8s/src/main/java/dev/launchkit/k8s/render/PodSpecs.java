package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds every pod spec in a manifest of any kind: a batch Job's {@code spec.template.spec}, a PyTorchJob's replica
 * templates, a Volcano Job's tasks, a JobSet's replicated Jobs, a RayJob's head and worker groups. A pod spec is any
 * object with a {@code containers} list; its pod template is the object that holds it under {@code spec}.
 */
final class PodSpecs {
    /** The container lists of a pod spec. */
    static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers", "ephemeralContainers");

    /**
     * One pod spec found.
     *
     * @param spec     the pod spec object
     * @param template the pod template holding it under {@code spec}, when there is one
     * @param path     the pod spec's key path, e.g. {@code spec.template.spec}
     */
    record Site(ObjectNode spec, Optional<ObjectNode> template, String path) {

        /** The main containers, in order. */
        List<ObjectNode> containers() {
            return objects(spec.path("containers"));
        }

        /** Main, init and ephemeral containers with their key paths. */
        List<Map.Entry<String, ObjectNode>> allContainers() {
            List<Map.Entry<String, ObjectNode>> out = new ArrayList<>();
            for (String list : CONTAINER_LISTS) {
                JsonNode items = spec.path(list);
                for (int i = 0; i < items.size(); i++) {
                    if (items.get(i) instanceof ObjectNode c) {
                        out.add(Map.entry(JsonTrees.path(JsonTrees.path(path, list), i), c));
                    }
                }
            }
            return out;
        }
    }

    private PodSpecs() {
    }

    /** Every pod spec in the tree, in document order. */
    static List<Site> find(ObjectNode manifest) {
        List<Site> out = new ArrayList<>();
        walk(manifest, null, "", out);
        return out;
    }

    private static void walk(JsonNode node, ObjectNode parent, String path, List<Site> out) {
        if (node instanceof ObjectNode o) {
            if (o.path("containers").isArray()) {
                boolean underSpec = path.equals("spec") || path.endsWith(".spec");
                out.add(new Site(o, underSpec ? Optional.ofNullable(parent) : Optional.empty(), path));
            }
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!CONTAINER_LISTS.contains(e.getKey())) {
                    walk(e.getValue(), o, JsonTrees.path(path, e.getKey()), out);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                walk(a.get(i), null, JsonTrees.path(path, i), out);
            }
        }
    }

    private static List<ObjectNode> objects(JsonNode list) {
        List<ObjectNode> out = new ArrayList<>();
        list.forEach(n -> {
            if (n instanceof ObjectNode o) {
                out.add(o);
            }
        });
        return out;
    }
}
