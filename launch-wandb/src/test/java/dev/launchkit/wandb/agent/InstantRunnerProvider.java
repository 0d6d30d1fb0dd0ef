package dev.launchkit.wandb.agent;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Runner;
import dev.launchkit.core.RunnerProvider;
import dev.launchkit.core.SubmittedRun;

/**
 * Runner type {@code test-cluster} for the config-built agent test: every run warns once and succeeds at once. Found
 * through {@code META-INF/services} like a real runner plugin.
 */
public final class InstantRunnerProvider implements RunnerProvider {
    @Override
    public String type() {
        return "test-cluster";
    }

    @Override
    public Runner create(ConfigNode config, LaunchContext context) {
        return new Runner() {
            @Override
            public String type() {
                return "test-cluster";
            }

            @Override
            public SubmittedRun submit(Job job, ImageRef image) {
                ControlledRun run = new ControlledRun(job);
                context.scheduler().execute(() -> {
                    run.warn("0/1 nodes are available: 1 Insufficient cpu.");
                    run.finish(RunStatus.of(RunState.SUCCEEDED, "Completed", ""));
                });
                return run;
            }
        };
    }
}
