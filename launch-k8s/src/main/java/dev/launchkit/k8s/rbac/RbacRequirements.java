package dev.launchkit.k8s.rbac;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.k8s.monitor.MonitorSettings;
import dev.launchkit.k8s.monitor.ResourceKind;
import io.kubernetes.client.openapi.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent configured by a launch-config.yaml needs to be allowed to do in Kubernetes, and the client to ask
 * with: the kubernetes runner's needs in every namespace runs may go to (the same namespace rules and connection the
 * runner uses, because they come from a runner built from the same block), for the custom resource kinds of
 * {@code runners.kubernetes.custom_resources} (the monitor's list of kinds runs are made of) and
 * {@value #CUSTOM_RESOURCES_ENV}, plus the Kaniko builder's needs in its build namespace when {@code builder.type} is
 * {@code kaniko}.
 *
 * <pre>
 * runners:
 *   kubernetes:
 *     custom_resources:
 *       - {apiVersion: kubeflow.org/v1, kind: PyTorchJob, plural: pytorchjobs}
 * </pre>
 *
 * @param client     the client the runner would use
 * @param namespaces the namespaces runs may go to
 * @param needs      every permission to check
 */
public record RbacRequirements(ApiClient client, List<String> namespaces, List<Permission> needs) {
    /** The env var the Helm chart sets from {@code rbac.customResources}: {@code group/plural}, comma-separated. */
    public static final String CUSTOM_RESOURCES_ENV = "LAUNCHKIT_CUSTOM_RESOURCES";

    public RbacRequirements {
        namespaces = List.copyOf(namespaces);
        needs = List.copyOf(needs);
    }

    /**
     * The requirements of a config; empty when the agent has no kubernetes runner (neither configured under
     * {@code runners:} nor the {@code default_resource}).
     *
     * @throws ConfigException naming the key when the runner block, a custom resource or the connection is wrong
     */
    public static Optional<RbacRequirements> of(LaunchConfig config, LaunchContext context) {
        boolean kubernetes = config.configuredRunners().contains(KubernetesRunner.TYPE)
                || config.defaultResource().equals(KubernetesRunner.TYPE);
        if (!kubernetes) {
            return Optional.empty();
        }
        ConfigNode block = config.runner(KubernetesRunner.TYPE);
        List<String> customResources = customResources(block, context);
        KubernetesRunner runner = KubernetesRunner.builder(context).config(block).build();
        try {
            List<String> namespaces = new ArrayList<>(runner.allowedNamespaces());
            Set<Permission> needs = new LinkedHashSet<>(RbacSelfCheck.runnerNeeds(namespaces, customResources));
            ConfigNode builder = config.builder();
            if (builder.string("type", "noop").strip().toLowerCase(Locale.ROOT).equals("kaniko")) {
                // As the Kaniko builder decides: builder.namespace, else the agent's own namespace, else default.
                String own = runner.renderSettings().namespaces().agentNamespace();
                String ns = builder.optString("namespace").map(String::strip).filter(s -> !s.isEmpty())
                        .orElse(own.isEmpty() ? "default" : own);
                needs.addAll(RbacSelfCheck.builderNeeds(ns));
            }
            return Optional.of(new RbacRequirements(runner.apiClient(), namespaces, new ArrayList<>(needs)));
        } finally {
            runner.close();
        }
    }

    private static List<String> customResources(ConfigNode block, LaunchContext context) {
        Set<String> out = new LinkedHashSet<>();
        // The kinds the monitor re-adopts are the kinds runs are made of: the same key serves both.
        for (ResourceKind kind : MonitorSettings.from(block, context).kinds()) {
            out.add(kind.group() + "/" + kind.plural());
        }
        for (String v : context.env(CUSTOM_RESOURCES_ENV).orElse("").split(",")) {
            if (v.isBlank()) {
                continue;
            }
            try {
                String[] gp = RbacSelfCheck.customResource(v);
                out.add(gp[0] + "/" + gp[1]);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(CUSTOM_RESOURCES_ENV + ": " + e.getMessage()
                        + " (the Helm value rbac.customResources sets it)");
            }
        }
        return List.copyOf(out);
    }
}
