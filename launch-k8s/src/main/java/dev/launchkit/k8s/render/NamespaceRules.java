package dev.launchkit.k8s.render;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import dev.launchkit.core.config.Quoted;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where a run may land and where it lands when the queue does not say.
 *
 * <p>Resolution order (first non-empty wins): the manifest's {@code metadata.namespace} → the legacy top-level
 * {@code namespace} key of the resource args → the configured default ({@code runners.kubernetes.namespace}, or W&B's
 * {@code runner.namespace}) → the agent's own namespace (service account file) → the kube context's namespace →
 * {@code default}. W&B skips the agent's own namespace; LaunchKit puts it before the context because in a pod the
 * context is always {@code default}, which is rarely where the chart granted RBAC.
 *
 * <p>The result must be in the allow-list: the agent's namespace, the configured default and the additional target
 * namespaces (Helm {@code additionalTargetNamespaces}). With none of those known (an agent outside the cluster with
 * no configuration), only the fallback namespace is allowed. The check happens before any API call.
 *
 * @param configuredDefault the configured default namespace; empty when none
 * @param agentNamespace    the agent's own namespace; empty when not running in a pod
 * @param contextNamespace  the kube context's namespace; empty when none
 * @param additionalTargets further namespaces the agent may submit to
 */
public record NamespaceRules(String configuredDefault, String agentNamespace, String contextNamespace,
                             Set<String> additionalTargets) {
    /** Where runs go when nothing names a namespace. */
    public static final String FALLBACK = "default";

    public NamespaceRules {
        configuredDefault = configuredDefault == null ? "" : configuredDefault.strip();
        agentNamespace = agentNamespace == null ? "" : agentNamespace.strip();
        contextNamespace = contextNamespace == null ? "" : contextNamespace.strip();
        Set<String> targets = new LinkedHashSet<>();
        for (String t : Objects.requireNonNull(additionalTargets, "additionalTargets")) {
            if (t != null && !t.isBlank()) {
                targets.add(t.strip());
            }
        }
        additionalTargets = java.util.Collections.unmodifiableSet(targets);
    }

    /** Rules for an agent that knows only its own namespace and targets (tests, embedding). */
    public static NamespaceRules of(String agentNamespace, Collection<String> additionalTargets) {
        return new NamespaceRules("", agentNamespace, "", new LinkedHashSet<>(additionalTargets));
    }

    /**
     * A resolved namespace and the key that chose it.
     *
     * @param namespace the namespace
     * @param source    where it came from, for messages (e.g. {@code resource_args.kubernetes.metadata.namespace})
     */
    public record Resolution(String namespace, String source) {
    }

    /**
     * Resolves and checks the namespace of a run.
     *
     * @param manifestNamespace {@code metadata.namespace} of the manifest, empty when absent
     * @param legacyNamespace   the legacy top-level {@code namespace} key, empty when absent
     * @throws LaunchException at stage {@link Stage#AGENT} when the namespace is not allowed or not a valid name
     */
    public Resolution resolve(String manifestNamespace, String legacyNamespace) {
        Resolution r;
        if (!manifestNamespace.isBlank()) {
            r = new Resolution(manifestNamespace.strip(), "resource_args.kubernetes.metadata.namespace");
        } else if (!legacyNamespace.isBlank()) {
            r = new Resolution(legacyNamespace.strip(), "resource_args.kubernetes.namespace");
        } else if (!configuredDefault.isEmpty()) {
            r = new Resolution(configuredDefault, "runners.kubernetes.namespace");
        } else if (!agentNamespace.isEmpty()) {
            r = new Resolution(agentNamespace, "the agent's own namespace");
        } else if (!contextNamespace.isEmpty()) {
            r = new Resolution(contextNamespace, "the kube context's namespace");
        } else {
            r = new Resolution(FALLBACK, "the default namespace");
        }
        if (!KubeNames.isDnsLabel(r.namespace())) {
            throw new LaunchException(Stage.AGENT, r.source() + ": " + Quoted.of(r.namespace())
                    + " is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)");
        }
        Set<String> allowed = allowed();
        if (!allowed.contains(r.namespace())) {
            throw new LaunchException(Stage.AGENT, r.source() + ": namespace " + Quoted.of(r.namespace())
                    + " is not one this agent may submit to (allowed: " + String.join(", ", allowed)
                    + "). Use one of those, or add '"
                    + r.namespace() + "' to runners.kubernetes.additional_target_namespaces (Helm value "
                    + "additionalTargetNamespaces) so the agent is also granted RBAC there");
        }
        return r;
    }

    /** The namespaces runs may land in, in a stable order. */
    public Set<String> allowed() {
        Set<String> out = new LinkedHashSet<>();
        if (!agentNamespace.isEmpty()) {
            out.add(agentNamespace);
        }
        if (!configuredDefault.isEmpty()) {
            out.add(configuredDefault);
        }
        out.addAll(additionalTargets);
        if (out.isEmpty()) {
            out.add(contextNamespace.isEmpty() ? FALLBACK : contextNamespace);
        }
        return java.util.Collections.unmodifiableSet(out);
    }
}
