package dev.launchkit.builder.kaniko;

import dev.launchkit.builder.kaniko.transport.ContextTransport;
import dev.launchkit.builder.kaniko.transport.ObjectStoreTransport;
import dev.launchkit.builder.kaniko.transport.PvcTransport;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.Environment;
import dev.launchkit.core.LaunchContext;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.Config;
import java.io.IOException;

/** Defaults of the builder's collaborators that come from the environment of the agent process. */
final class Transports {
    private Transports() {
    }

    /** PVC mode when {@code WANDB_LAUNCH_KANIKO_PVC_NAME} is set, else the environment's object store. */
    static ContextTransport from(KanikoSettings settings, LaunchContext context) {
        if (settings.pvcMode()) {
            return new PvcTransport(settings.pvcName(), settings.pvcMountPath());
        }
        Environment env = context.environment().orElseThrow(() -> new ConfigException("builder.build-context-store: '"
                + settings.buildContextStore() + "' needs an environment block whose storage serves it (environment: "
                + "{type: aws} for s3://, gcp for gs://, azure for Azure Blob), or use a PVC ("
                + KanikoSettings.ENV_PVC_NAME + ")"));
        return new ObjectStoreTransport(env.objectStore(settings.buildContextStore()));
    }

    /** In-cluster configuration when running in a pod, else {@code $KUBECONFIG} / {@code ~/.kube/config}. */
    static ApiClient defaultApiClient() {
        try {
            return Config.defaultClient();
        } catch (IOException e) {
            throw new ConfigException("the kaniko builder cannot reach Kubernetes: no in-cluster service account and "
                    + "no usable kubeconfig (" + e.getMessage() + ")");
        }
    }
}
