package dev.launchkit.k8s;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.k8s.render.Macros;
import dev.launchkit.k8s.render.SecurityPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code runners.kubernetes} block of launch-config.yaml (or W&B's {@code runner} block, which only has
 * {@code namespace}), with the environment variables the Helm chart sets. All keys are optional:
 * <pre>
 * runners:
 *   kubernetes:
 *     kubeconfig: ~/.kube/config          # else in-cluster, else $KUBECONFIG / ~/.kube/config
 *     context: kind-dev                   # else $LAUNCHKIT_KUBE_CONTEXT, else the file's current context
 *     namespace: ml-jobs                  # default namespace for runs (W&B runner.namespace)
 *     additional_target_namespaces: [ml-jobs, default]   # plus $LAUNCHKIT_ADDITIONAL_TARGET_NAMESPACES (a,b)
 *     owner: launch                       # launchkit.dev/owner; else $WANDB_RELEASE_NAME, else agent_name
 *     agent_name: launchkit-agent         # wandb.ai/agent
 *     macro_env: [DATA_BUCKET]            # env vars ${NAME} may substitute; never WANDB_API_KEY
 *     security: default                   # or restricted
 *     service_account_namespace_file: /var/run/secrets/kubernetes.io/serviceaccount/namespace
 *     api_retries: 5                      # attempts per API call on 429 / 5xx / connection errors
 * </pre>
 * The monitor reads its own keys from the same block ({@code start_timeout}, {@code log_tail_kb}, ...).
 *
 * @param kubeconfig                 the kubeconfig path; empty for the default lookup
 * @param context                    the kube context; empty for the current one
 * @param namespace                  the default namespace; empty when not configured
 * @param additionalTargetNamespaces namespaces runs may go to besides the agent's own and the default
 * @param owner                      the owner label value (not yet label-sanitised)
 * @param agentName                  the agent label value (not yet label-sanitised)
 * @param releaseName                the Helm release ({@code WANDB_RELEASE_NAME}); empty outside the chart
 * @param macroEnv                   env vars macros may substitute
 * @param security                   the security policy
 * @param serviceAccountNamespaceFile where the agent's own namespace is read from (when it exists)
 * @param apiRetries                 attempts per API call
 */
public record KubernetesRunnerSettings(String kubeconfig, String context, String namespace,
                                       List<String> additionalTargetNamespaces, String owner, String agentName,
                                       String releaseName, List<String> macroEnv, SecurityPolicy security,
                                       Path serviceAccountNamespaceFile, int apiRetries) {
    /** The env var LaunchKit's Helm chart sets to the target namespaces, comma-separated. */
    public static final String TARGET_NAMESPACES_ENV = "LAUNCHKIT_ADDITIONAL_TARGET_NAMESPACES";
    /** The env var the CLI's {@code --context} sets. */
    public static final String KUBE_CONTEXT_ENV = "LAUNCHKIT_KUBE_CONTEXT";
    /** The env var of the W&B chart's release name. */
    public static final String RELEASE_ENV = "WANDB_RELEASE_NAME";
    public static final String DEFAULT_AGENT_NAME = "launchkit-agent";
    public static final Path DEFAULT_NAMESPACE_FILE =
            Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    public KubernetesRunnerSettings {
        kubeconfig = Objects.requireNonNullElse(kubeconfig, "");
        context = Objects.requireNonNullElse(context, "");
        namespace = Objects.requireNonNullElse(namespace, "");
        additionalTargetNamespaces = List.copyOf(additionalTargetNamespaces);
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(agentName, "agentName");
        releaseName = Objects.requireNonNullElse(releaseName, "");
        macroEnv = List.copyOf(macroEnv);
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(serviceAccountNamespaceFile, "serviceAccountNamespaceFile");
        if (apiRetries < 1) {
            throw new IllegalArgumentException("apiRetries must be at least 1");
        }
    }

    /** The settings of an unconfigured runner: everything from the environment and the defaults. */
    public static KubernetesRunnerSettings defaults(LaunchContext context) {
        return from(ConfigNode.empty("defaults"), context);
    }

    /**
     * Reads the block and the environment.
     *
     * @throws ConfigException naming the key and what to do when a value is wrong
     */
    public static KubernetesRunnerSettings from(ConfigNode config, LaunchContext ctx) {
        if (!config.isMissing()) {
            config.object();
        }
        String agentName = config.string("agent_name", DEFAULT_AGENT_NAME).strip();
        if (agentName.isEmpty()) {
            throw config.child("agent_name").error("must not be empty");
        }
        String release = ctx.env(RELEASE_ENV).orElse("").strip();
        String owner = config.optString("owner").map(String::strip)
                .orElse(release.isEmpty() ? agentName : release);
        if (owner.isEmpty()) {
            throw config.child("owner").error("must not be empty: a restarted agent finds its runs by it");
        }
        Set<String> targets = new LinkedHashSet<>(config.strings("additional_target_namespaces"));
        for (String ns : ctx.env(TARGET_NAMESPACES_ENV).orElse("").split(",")) {
            if (!ns.isBlank()) {
                targets.add(ns.strip());
            }
        }
        List<String> macroEnv = config.strings("macro_env");
        for (int i = 0; i < macroEnv.size(); i++) {
            if (macroEnv.get(i).equals(Macros.API_KEY_VAR)) {
                throw config.child("macro_env").element(i).error(Macros.API_KEY_VAR + " can never be substituted "
                        + "into a manifest; runs get the key through a Secret. Remove it from the list");
            }
        }
        String word = config.string("security", SecurityPolicy.DEFAULT.word());
        SecurityPolicy security = SecurityPolicy.parse(word).orElseThrow(() -> config.child("security")
                .error("'" + word + "' is not one of default, restricted"));
        int retries = config.integer("api_retries", 5);
        if (retries < 1) {
            throw config.child("api_retries").error("must be at least 1, got " + retries);
        }
        return new KubernetesRunnerSettings(
                config.string("kubeconfig", "").strip(),
                config.optString("context").map(String::strip).orElse(ctx.env(KUBE_CONTEXT_ENV).orElse("")),
                config.string("namespace", "").strip(),
                new ArrayList<>(targets), owner, agentName, release, macroEnv, security,
                Path.of(config.string("service_account_namespace_file", DEFAULT_NAMESPACE_FILE.toString())),
                retries);
    }

    /** A copy with another security policy. */
    public KubernetesRunnerSettings withSecurity(SecurityPolicy value) {
        return new KubernetesRunnerSettings(kubeconfig, context, namespace, additionalTargetNamespaces, owner,
                agentName, releaseName, macroEnv, value, serviceAccountNamespaceFile, apiRetries);
    }

    /** A copy with other target namespaces. */
    public KubernetesRunnerSettings withAdditionalTargetNamespaces(List<String> value) {
        return new KubernetesRunnerSettings(kubeconfig, context, namespace, value, owner, agentName, releaseName,
                macroEnv, security, serviceAccountNamespaceFile, apiRetries);
    }
}
