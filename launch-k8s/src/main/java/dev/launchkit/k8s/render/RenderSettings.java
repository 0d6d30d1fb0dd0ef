package dev.launchkit.k8s.render;

import java.util.List;
import java.util.Objects;

/**
 * What the renderer needs to know about the agent deployment, besides the job itself.
 *
 * @param agentName      the agent's name, the value of {@code wandb.ai/agent} (label-safe)
 * @param owner          the deployment that owns the runs, the value of {@code launchkit.dev/owner} (label-safe);
 *                       the monitor selects by it, so it must be stable across restarts
 * @param security       how security-relevant keys are treated
 * @param macroEnv       agent environment variables that {@code ${NAME}} macros may substitute
 * @param namespaces     namespace resolution and allow-list
 * @param releaseName    the Helm release ({@code WANDB_RELEASE_NAME}); when set, runs read the API key from the
 *                       release's shared Secret {@code wandb-api-key-<release>}; empty otherwise
 * @param kubeContext    the kube context the agent submits through; empty in a pod. A queue's {@code context} key
 *                       must name this one
 * @param kubeconfig     the kubeconfig file the agent uses; empty in a pod. A queue's {@code configFile} key must
 *                       name this one
 */
public record RenderSettings(String agentName, String owner, SecurityPolicy security, List<String> macroEnv,
                             NamespaceRules namespaces, String releaseName, String kubeContext, String kubeconfig) {

    public RenderSettings {
        agentName = KubeNames.labelValue(Objects.requireNonNull(agentName, "agentName"));
        owner = KubeNames.labelValue(Objects.requireNonNull(owner, "owner"));
        if (owner.isEmpty()) {
            throw new IllegalArgumentException("owner must not be empty: the monitor finds runs by it");
        }
        Objects.requireNonNull(security, "security");
        macroEnv = List.copyOf(macroEnv);
        Objects.requireNonNull(namespaces, "namespaces");
        releaseName = releaseName == null ? "" : releaseName;
        kubeContext = kubeContext == null ? "" : kubeContext;
        kubeconfig = kubeconfig == null ? "" : kubeconfig;
    }

    /** Settings for tests and embedding: default policy, no macros from the environment, no release. */
    public static RenderSettings of(String agentName, String owner, NamespaceRules namespaces) {
        return new RenderSettings(agentName, owner, SecurityPolicy.DEFAULT, List.of(), namespaces, "", "", "");
    }

    public RenderSettings withSecurity(SecurityPolicy value) {
        return new RenderSettings(agentName, owner, value, macroEnv, namespaces, releaseName, kubeContext, kubeconfig);
    }

    public RenderSettings withMacroEnv(List<String> value) {
        return new RenderSettings(agentName, owner, security, value, namespaces, releaseName, kubeContext, kubeconfig);
    }

    public RenderSettings withReleaseName(String value) {
        return new RenderSettings(agentName, owner, security, macroEnv, namespaces, value, kubeContext, kubeconfig);
    }

    public RenderSettings withNamespaces(NamespaceRules value) {
        return new RenderSettings(agentName, owner, security, macroEnv, value, releaseName, kubeContext, kubeconfig);
    }

    public RenderSettings withCluster(String context, String kubeconfigPath) {
        return new RenderSettings(agentName, owner, security, macroEnv, namespaces, releaseName, context, kubeconfigPath);
    }
}
