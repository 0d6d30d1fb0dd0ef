package dev.launchkit.wandb.agent;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.Runner;
import dev.launchkit.core.SubmittedRun;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A runner for the agent-level tests: it records what it was given and hands back {@link ControlledRun}s. It stands
 * in at the Runner SPI seam for the Kubernetes runner, which the lead wires in the end-to-end test.
 */
final class ControlledRunner implements Runner {
    private final String type;
    private final List<ControlledRun> runs = new CopyOnWriteArrayList<>();
    private final List<ImageRef> images = new CopyOnWriteArrayList<>();

    ControlledRunner(String type) {
        this.type = type;
    }

    List<ControlledRun> runs() {
        return runs;
    }

    List<ImageRef> images() {
        return images;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public SubmittedRun submit(Job job, ImageRef image) {
        ControlledRun run = new ControlledRun(job);
        runs.add(run);
        images.add(image);
        return run;
    }
}
