package dev.launchkit.k8s.rbac;

import java.util.Objects;

/**
 * One thing the agent needs to be allowed to do: a verb on a resource in a namespace.
 *
 * @param namespace   the namespace
 * @param group       the API group; empty for the core group
 * @param resource    the resource plural, e.g. {@code jobs}
 * @param subresource the subresource, e.g. {@code log}; empty for none
 * @param verb        the verb, e.g. {@code watch}
 */
public record Permission(String namespace, String group, String resource, String subresource, String verb) {
    public Permission {
        Objects.requireNonNull(namespace, "namespace");
        group = group == null ? "" : group;
        Objects.requireNonNull(resource, "resource");
        subresource = subresource == null ? "" : subresource;
        Objects.requireNonNull(verb, "verb");
    }

    /** The resource as RBAC rules spell it: {@code pods/log}. */
    public String resourceName() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /**
     * The rule that would grant it, as a Role in the namespace would spell it (a YAML flow mapping one can paste
     * under {@code rules:}): {@code namespace wandb: {apiGroups: ["batch"], resources: ["jobs"], verbs: ["delete"]}}.
     */
    public String rule() {
        return "namespace " + namespace + ": {apiGroups: [\"" + group + "\"], resources: [\"" + resourceName()
                + "\"], verbs: [\"" + verb + "\"]}";
    }
}
