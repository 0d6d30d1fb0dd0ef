package dev.launchkit.example.builder;

import dev.launchkit.core.Builder;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.Stage;

/**
 * A builder for teams whose CI already builds an image for every commit and pushes it as
 * {@code <repository>:<first 12 characters of the commit>}. It builds nothing: it finds that image in the registry,
 * and fails the job at stage {@code build} when CI has not published it.
 */
public final class CiImageBuilder implements Builder {
    static final int TAG_LENGTH = 12;
    private final Registry registry;

    public CiImageBuilder(Registry registry) {
        this.registry = registry;
    }

    @Override
    public String type() {
        return CiImageBuilderProvider.TYPE;
    }

    @Override
    public ImageRef build(Job job, RunListener listener) {
        JobSource source = job.source();
        if (source instanceof JobSource.Image image) {
            return image.image();
        }
        if (!(source instanceof JobSource.Git git)) {
            throw new LaunchException(Stage.AGENT, "the ci-image builder runs only git jobs and image jobs, not "
                    + source.describe() + "; use builder.type: kaniko to build code artifacts");
        }
        if (!git.commit().matches("[0-9a-f]{" + TAG_LENGTH + ",40}")) {
            throw new LaunchException(Stage.AGENT, "the ci-image builder needs a full commit hash to find CI's image, "
                    + "got '" + git.commit() + "' for " + git.remote());
        }
        String tag = git.commit().substring(0, TAG_LENGTH);
        if (!registry.imageExists(tag)) {
            throw new LaunchException(Stage.BUILD, "CI has not published " + registry.repositoryUri() + ":" + tag
                    + " for commit " + git.commit() + " yet; wait for the CI build or rebuild that commit");
        }
        listener.log("using CI image " + registry.image(tag));
        return registry.image(tag);
    }
}
