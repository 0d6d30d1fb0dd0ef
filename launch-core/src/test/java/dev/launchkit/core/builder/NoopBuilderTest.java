package dev.launchkit.core.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.Stage;
import dev.launchkit.core.plugin.Plugins;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoopBuilderTest {
    private final NoopBuilder builder = new NoopBuilder();

    private static Job job(JobSource source) {
        return new Job("item", "q", "", LaunchSpec.empty().withRunId("r1"), source, "r1", Map.of());
    }

    @Test
    void returnsTheImageTheSpecNames() {
        LaunchSpec spec = LaunchSpec.parse("{\"docker\":{\"docker_image\":\"ghcr.io/org/train:v3\"}}").withRunId("r1");
        Job job = new Job("item", "q", "", spec, JobSource.fromSpec(spec), "r1", Map.of());

        assertThat(builder.build(job, new RunListener() { })).isEqualTo(ImageRef.parse("ghcr.io/org/train:v3"));
    }

    @Test
    void refusesAGitSourceNamingTheBuilderToConfigure() {
        Job job = job(new JobSource.Git("https://github.com/org/repo.git", "abc123", List.of("python", "train.py"),
                "", "", ""));

        assertThatThrownBy(() -> builder.build(job, new RunListener() { }))
                .isInstanceOf(LaunchException.class)
                .hasMessage("the job's source (git https://github.com/org/repo.git@abc123) needs an image build, but "
                        + "the builder is 'noop', which builds nothing. Configure a builder in launch-config.yaml "
                        + "(builder.type: kaniko), or give the spec a ready image (docker.docker_image)")
                .extracting(e -> ((LaunchException) e).stage()).isEqualTo(Stage.AGENT);
    }

    @Test
    void refusesACodeSourceNamingTheBuilderToConfigure() {
        Job job = job(new JobSource.Code(Path.of("/srv/code"), List.of(), "", "", ""));

        assertThatThrownBy(() -> builder.build(job, new RunListener() { }))
                .hasMessageContaining("(code /srv/code) needs an image build")
                .hasMessageContaining("builder.type: kaniko");
    }

    @Test
    void refusesAnUnresolvedJobSayingNothingCanRun() {
        Job job = job(new JobSource.Unresolved("team/proj/job:v1"));

        assertThatThrownBy(() -> builder.build(job, new RunListener() { }))
                .hasMessageStartingWith("the job 'team/proj/job:v1' was not resolved");
    }

    @Test
    void isFoundByItsTypeWithTheOtherEmbeddedDefaults() {
        BuilderProvider p = Plugins.load(BuilderProvider.class, "builder").require("noop");
        LaunchContext ctx = LaunchContext.basic(Map.of());

        assertThat(p.create(ConfigNode.empty("launch-config.yaml"), ctx).type()).isEqualTo("noop");
        assertThat(Plugins.load(dev.launchkit.core.QueueProvider.class, "queue backend").types())
                .contains("memory", "directory");
        assertThat(Plugins.load(dev.launchkit.core.RunnerProvider.class, "runner").types()).contains("local-process");
        ctx.scheduler().shutdownNow();
    }
}
