package dev.launchkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class LaunchSpecTest {
    private static final String SPEC = """
            {"uri": null, "job": "team/vision/job-train:v7", "entity": "team", "project": "Vision",
             "author": "alice", "name": "resnet-3", "docker": {}, "resource": "kubernetes",
             "resource_args": {"kubernetes": {"metadata": {"namespace": "ml"}}},
             "overrides": {"args": ["--epochs", "20"], "run_config": {"lr": 0.001}, "entry_point": ["python", "t.py"],
                           "artifacts": {"data": "team/p/ds:v1"}, "files": {"a.txt": "x"}},
             "run_id": "abc123", "sweep_id": null, "_resume_count": 2, "_wandb_api_key": "per-run-key-999",
             "future_field": {"kept": true}}""";

    @Test
    void readsEveryWandbField() {
        LaunchSpec spec = LaunchSpec.parse(SPEC);
        assertThat(spec.job()).contains("team/vision/job-train:v7");
        assertThat(spec.entity()).contains("team");
        assertThat(spec.project()).contains("vision");
        assertThat(spec.author()).contains("alice");
        assertThat(spec.name()).contains("resnet-3");
        assertThat(spec.resource()).contains("kubernetes");
        assertThat(spec.resourceArgs("kubernetes").path("metadata").path("namespace").asText()).isEqualTo("ml");
        assertThat(spec.args()).containsExactly("--epochs", "20");
        assertThat(spec.entryPoint()).containsExactly("python", "t.py");
        assertThat(spec.runConfig().path("lr").asDouble()).isEqualTo(0.001);
        assertThat(spec.artifacts().path("data").asText()).isEqualTo("team/p/ds:v1");
        assertThat(spec.files().has("a.txt")).isTrue();
        assertThat(spec.runId()).contains("abc123");
        assertThat(spec.sweepId()).isEmpty();
        assertThat(spec.resumeCount()).isEqualTo(2);
        assertThat(spec.wandbApiKey()).contains("per-run-key-999");
        assertThat(spec.dockerImage()).isEmpty();
    }

    @Test
    void keepsUnknownFieldsForARoundTrip() throws Exception {
        LaunchSpec spec = LaunchSpec.parse(SPEC);
        assertThat(spec.toJson()).isEqualTo(new ObjectMapper().readTree(SPEC));
        assertThat(spec.withRunId("zzz").toJson().path("future_field").path("kept").asBoolean()).isTrue();
    }

    @Test
    void acceptsRunSpecAsAJsonString() {
        LaunchSpec fromString = LaunchSpec.fromNode(TextNode.valueOf(SPEC));
        assertThat(fromString).isEqualTo(LaunchSpec.parse(SPEC));
    }

    @Test
    void neverPrintsTheApiKey() {
        LaunchSpec spec = LaunchSpec.parse(SPEC);
        assertThat(spec.toString()).doesNotContain("per-run-key-999").contains("<redacted>");
        assertThat(spec.toMaskedJson().toString()).doesNotContain("per-run-key-999");
    }

    @Test
    void imageComesFromDockerImageOrImageUri() {
        assertThat(LaunchSpec.parse("{\"docker\":{\"docker_image\":\"a:1\"}}").dockerImage()).contains("a:1");
        assertThat(LaunchSpec.parse("{\"image_uri\":\"b:2\"}").dockerImage()).contains("b:2");
    }

    @Test
    void malformedSpecsSayWhatIsWrong() {
        assertThatThrownBy(() -> LaunchSpec.parse("{\"entity\": "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON").hasMessageContaining("line 1");
        assertThatThrownBy(() -> LaunchSpec.parse("[1,2]")).hasMessageContaining("must be a JSON object, got array");
    }

    @Test
    void sourceFollowsTheSpec() {
        assertThat(JobSource.fromSpec(LaunchSpec.parse("{\"docker\":{\"docker_image\":\"python:3.11\"}}")))
                .isEqualTo(new JobSource.Image(ImageRef.parse("python:3.11"), java.util.List.of()));
        assertThat(JobSource.fromSpec(LaunchSpec.parse("{\"job\":\"e/p/j:v1\"}"))).isEqualTo(new JobSource.Unresolved("e/p/j:v1"));
        assertThat(JobSource.fromSpec(LaunchSpec.parse("{\"source\":{\"git\":{\"remote\":\"https://h/r.git\",\"commit\":\"abc\"}}}")))
                .isInstanceOf(JobSource.Git.class);
        assertThatThrownBy(() -> JobSource.fromSpec(LaunchSpec.parse("{\"job\":\"e/p/j\",\"image_uri\":\"a:1\"}")))
                .hasMessageContaining("Exactly one of job or docker_image");
        assertThatThrownBy(() -> JobSource.fromSpec(LaunchSpec.parse("{}")))
                .isInstanceOf(LaunchException.class).hasMessageContaining("names no image and no job");
        assertThatThrownBy(() -> JobSource.fromSpec(LaunchSpec.parse("{\"image_uri\":\"Bad Image\"}")))
                .hasMessageContaining("not an image reference");
    }
}
