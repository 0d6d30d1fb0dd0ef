package dev.launchkit.wandb.agent;

import dev.launchkit.core.Builder;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.Stage;

/** Builder type {@code test-images}: passes image sources through and refuses the rest (no building in tests). */
public final class ImageOnlyBuilderProvider implements BuilderProvider {
    @Override
    public String type() {
        return "test-images";
    }

    @Override
    public Builder create(ConfigNode config, LaunchContext context) {
        return new Builder() {
            @Override
            public String type() {
                return "test-images";
            }

            @Override
            public ImageRef build(Job job, RunListener listener) {
                if (job.source() instanceof JobSource.Image image) {
                    return image.image();
                }
                throw new LaunchException(Stage.BUILD, "test-images builds nothing: " + job.source().describe());
            }
        };
    }
}
