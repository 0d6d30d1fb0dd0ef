package dev.launchkit.k8s.submit;

import dev.launchkit.core.ConfigException;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The API client the runner talks through, and what the configuration it came from says about namespaces.
 *
 * @param client           the official client
 * @param contextName      the kube context in use; empty in a pod or for an injected client
 * @param contextNamespace the context's namespace; empty when it names none
 * @param kubeconfig       the kubeconfig file used; empty in a pod or for an injected client
 */
public record KubeConnection(ApiClient client, String contextName, String contextNamespace, String kubeconfig) {
    /** Where a pod finds its service account token. */
    public static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    /** Read timeout of API calls; every call has one, so a hung server cannot stall a submission forever. */
    public static final int READ_TIMEOUT_MS = 30_000;

    public KubeConnection {
        Objects.requireNonNull(client, "client");
        contextName = contextName == null ? "" : contextName;
        contextNamespace = contextNamespace == null ? "" : contextNamespace;
        kubeconfig = kubeconfig == null ? "" : kubeconfig;
    }

    /** An injected client (embedding, tests); no context, no kubeconfig. */
    public static KubeConnection of(ApiClient client) {
        return new KubeConnection(client, "", "", "");
    }

    /**
     * Connects the way the configuration asks:
     * <ol>
     *   <li>{@code kubeconfig} given → that file, with {@code context} or its current context;</li>
     *   <li>else in a pod (service host variables and a token) and no {@code context} → in-cluster configuration;</li>
     *   <li>else {@code $KUBECONFIG} (its first file) or {@code ~/.kube/config}.</li>
     * </ol>
     *
     * @param kubeconfig the configured kubeconfig path; empty for none
     * @param context    the configured context; empty for the file's current one
     * @param env        the agent's environment
     * @throws ConfigException naming the key when the file is unreadable, the context does not exist, or there is no
     *                         configuration at all
     */
    public static KubeConnection connect(String kubeconfig, String context, Map<String, String> env) {
        if (!kubeconfig.isBlank()) {
            return fromKubeconfig(expand(kubeconfig), context, "runners.kubernetes.kubeconfig");
        }
        boolean inPod = env.containsKey("KUBERNETES_SERVICE_HOST") && Files.isReadable(SERVICE_ACCOUNT_TOKEN);
        if (inPod && context.isBlank()) {
            try {
                ApiClient client = ClientBuilder.cluster().build();
                client.setReadTimeout(READ_TIMEOUT_MS);
                return new KubeConnection(client, "", "", "");
            } catch (IOException e) {
                throw new ConfigException("runners.kubernetes: the in-cluster configuration could not be read ("
                        + e.getMessage() + "); check the pod's service account mount", e);
            }
        }
        String fromEnv = env.getOrDefault("KUBECONFIG", "");
        Optional<Path> file = fromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(fromEnv.split(java.io.File.pathSeparator)[0]));
        Path path = file.orElse(Path.of(System.getProperty("user.home"), ".kube", "config"));
        if (!Files.isReadable(path)) {
            throw new ConfigException("runners.kubernetes: no Kubernetes configuration found: the agent is not in a pod "
                    + "and " + path + " does not exist. Set runners.kubernetes.kubeconfig, $KUBECONFIG, or run the "
                    + "agent in the cluster");
        }
        return fromKubeconfig(path, context, fromEnv.isBlank() ? "~/.kube/config" : "$KUBECONFIG");
    }

    private static KubeConnection fromKubeconfig(Path path, String context, String key) {
        KubeConfig config;
        try (Reader reader = Files.newBufferedReader(path)) {
            config = KubeConfig.loadKubeConfig(reader);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key + ": cannot read kubeconfig " + path + ": " + e.getMessage(), e);
        }
        config.setFile(path.toFile());
        if (!context.isBlank() && !config.setContext(context)) {
            throw new ConfigException("runners.kubernetes.context: '" + context + "' is not a context of " + path
                    + " (it has: " + String.join(", ", contextNames(config)) + ")");
        }
        if (config.getCurrentContext() == null || config.getCurrentContext().isBlank()) {
            throw new ConfigException(key + ": " + path + " has no current-context; set runners.kubernetes.context to "
                    + "one of: " + String.join(", ", contextNames(config)));
        }
        try {
            ApiClient client = ClientBuilder.kubeconfig(config).build();
            client.setReadTimeout(READ_TIMEOUT_MS);
            String ns = config.getNamespace();
            return new KubeConnection(client, config.getCurrentContext(), ns == null ? "" : ns,
                    path.toAbsolutePath().toString());
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key + ": kubeconfig " + path + ", context '" + config.getCurrentContext()
                    + "' is not usable: " + e.getMessage(), e);
        }
    }

    private static List<String> contextNames(KubeConfig config) {
        List<String> names = new ArrayList<>();
        if (config.getContexts() != null) {
            for (Object c : config.getContexts()) {
                if (c instanceof Map<?, ?> m && m.get("name") != null) {
                    names.add(String.valueOf(m.get("name")));
                }
            }
        }
        return names;
    }

    private static Path expand(String path) {
        return path.startsWith("~/") ? Path.of(System.getProperty("user.home"), path.substring(2)) : Path.of(path);
    }
}
