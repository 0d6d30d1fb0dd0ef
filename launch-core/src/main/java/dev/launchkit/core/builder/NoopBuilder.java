package dev.launchkit.core.builder;

import dev.launchkit.core.Builder;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.Stage;

/**
 * The {@code noop} builder (the default, {@code builder.type: noop}): builds nothing. A job whose source is an image
 * runs with that image; a git or code source, which needs a build, fails at stage agent with a message saying which
 * builder to configure. Stateless and thread-safe.
 */
public final class NoopBuilder implements Builder {

    @Override
    public String type() {
        return "noop";
    }

    /**
     * Returns the job's image.
     *
     * @throws LaunchException at stage agent for sources that need a build or were never resolved
     */
    @Override
    public ImageRef build(Job job, RunListener listener) {
        JobSource source = job.source();
        if (source instanceof JobSource.Image image) {
            return image.image();
        }
        if (source instanceof JobSource.Unresolved unresolved) {
            throw new LaunchException(Stage.AGENT, "the job '" + unresolved.reference() + "' was not resolved to an "
                    + "image, git repository or code directory, so there is nothing to run; use a queue that can "
                    + "resolve jobs (queue_backend.type: wandb) or give the spec an image (docker.docker_image)");
        }
        throw new LaunchException(Stage.AGENT, "the job's source (" + source.describe() + ") needs an image build, "
                + "but the builder is 'noop', which builds nothing. Configure a builder in launch-config.yaml "
                + "(builder.type: kaniko), or give the spec a ready image (docker.docker_image)");
    }

    @Override
    public String toString() {
        return "noop builder";
    }
}
