package dev.launchkit.k8s;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Runner;
import dev.launchkit.core.RunnerProvider;

/**
 * Creates the {@code kubernetes} runner from the {@code runners.kubernetes} block (see
 * {@link KubernetesRunnerSettings} for its keys), connecting through the configured kubeconfig or the in-cluster
 * service account, with a {@link dev.launchkit.k8s.monitor.KubernetesRunMonitor} to follow the runs.
 */
public final class KubernetesRunnerProvider implements RunnerProvider {

    @Override
    public String type() {
        return KubernetesRunner.TYPE;
    }

    @Override
    public Runner create(ConfigNode config, LaunchContext context) {
        return KubernetesRunner.builder(context).config(config).build();
    }
}
