package dev.launchkit.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.launchkit.core.Builder;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Builder} plugin must have. Extend it in your plugin's tests and implement the three
 * factory methods:
 *
 * <pre>{@code
 * class MyBuilderContractTest extends BuilderContract {
 *     protected Builder newBuilder() { return new MyBuilder(...); }
 *     protected Job buildableJob(int variant) { ... a job whose source MyBuilder can build, distinct per variant ... }
 *     protected Job unbuildableJob() { ... a job MyBuilder must refuse ... }
 * }
 * }</pre>
 */
public abstract class BuilderContract {
    private Builder builder;

    /** A fresh builder under test. */
    protected abstract Builder newBuilder();

    /** A job the builder can build; different variants must give different images. */
    protected abstract Job buildableJob(int variant);

    /** A job the builder must refuse with a {@link LaunchException}. */
    protected abstract Job unbuildableJob();

    /** A job whose source is a ready image; every builder returns that image unchanged. */
    protected Job imageJob(String image) {
        LaunchSpec spec = LaunchSpec.parse("{\"entity\":\"e\",\"project\":\"p\",\"docker\":{\"docker_image\":\"" + image + "\"}}");
        return new Job("contract-image", "contract", "e", spec.withRunId("contract1"), JobSource.fromSpec(spec),
                "contract1", Map.of());
    }

    @BeforeEach
    void createBuilder() {
        builder = newBuilder();
    }

    @AfterEach
    void closeBuilder() {
        builder.close();
    }

    @Test
    void hasATypeWord() {
        assertThat(builder.type()).isNotBlank().matches("[a-z0-9][a-z0-9-]*");
    }

    @Test
    void returnsAReadyImageUnchanged() {
        assertThat(builder.build(imageJob("python:3.11"), new RunListener() { })).isEqualTo(ImageRef.parse("python:3.11"));
    }

    @Test
    void buildingTheSameSourceTwiceGivesTheSameImage() {
        ImageRef first = builder.build(buildableJob(0), new RunListener() { });
        ImageRef second = builder.build(buildableJob(0), new RunListener() { });
        assertThat(second).isEqualTo(first);
    }

    @Test
    void differentSourcesGiveDifferentImages() {
        assertThat(builder.build(buildableJob(1), new RunListener() { }))
                .isNotEqualTo(builder.build(buildableJob(2), new RunListener() { }));
    }

    @Test
    void refusesWhatItCannotBuildWithAStageAndAMessage() {
        Throwable t = catchThrowable(() -> builder.build(unbuildableJob(), new RunListener() { }));
        assertThat(t).isInstanceOf(LaunchException.class);
        LaunchException e = (LaunchException) t;
        assertThat(e.stage()).isIn(Stage.AGENT, Stage.BUILD);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void buildsConcurrentlyWithoutMixingJobsUp() throws Exception {
        List<ImageRef> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            expected.add(builder.build(buildableJob(10 + i), new RunListener() { }));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ImageRef>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int variant = 10 + i;
                futures.add(pool.submit((Callable<ImageRef>) () -> builder.build(buildableJob(variant), new RunListener() { })));
            }
            for (int i = 0; i < 8; i++) {
                assertThat(futures.get(i).get()).isEqualTo(expected.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
