package dev.launchkit.wandb.job;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static dev.launchkit.wandb.WandbTestSupport.context;
import static dev.launchkit.wandb.WandbTestSupport.jobSpec;
import static dev.launchkit.wandb.WandbTestSupport.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.RecordedCall;
import dev.launchkit.wandb.queue.WandbQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobResolutionTest {
    private final FakeWandbServer server = FakeWandbServer.start();
    @TempDir
    Path downloads;
    private WandbQueue queue;

    @BeforeEach
    void connect() {
        server.addTeam(TEAM);
        server.createQueue(TEAM, "k8s-test");
        queue = session(server, context(server), downloads).queue("k8s-test");
    }

    @AfterEach
    void stop() {
        queue.close();
        server.close();
    }

    private Job popped(ObjectNode spec) throws InterruptedException {
        server.pushItem(TEAM, "k8s-test", spec);
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Job> job = queue.poll(Duration.ofMillis(200));
            if (job.isPresent()) {
                return job.get();
            }
        }
        throw new AssertionError("no job; calls " + server.calls());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anImageJobResolvesToItsImageWithTheJobsEntrypoint() throws Exception {
        server.addJobArtifact(TEAM, "vision", "job-trainer", FakeWandbServer.json("""
                {"_version": "v0", "source_type": "image", "runtime": "3.11",
                 "source": {"image": "registry.example.com/trainer:1.2", "entrypoint": ["python", "train.py"]}}"""),
                Map.of());
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-trainer:latest"));
        assertThat(job.source()).isInstanceOf(JobSource.Unresolved.class);

        Job resolved = queue.resolve(job);

        JobSource.Image image = (JobSource.Image) resolved.source();
        assertThat(image.image().toString()).isEqualTo("registry.example.com/trainer:1.2");
        assertThat(image.entrypoint()).containsExactly("python", "train.py");
        assertThat(resolved.attributes()).containsEntry("runtime", "3.11").containsEntry("python_version", "3.11")
                .containsEntry("wandb.job", "my-team/vision/job-trainer:latest");
        assertThat(server.operations()).containsSubsequence("ArtifactMembershipByName", "FetchArtifactManifest",
                "GetArtifactFileUrls");
    }

    @Test
    void aRepoJobResolvesToGitWithItsBuildSettingsAndDiff() throws Exception {
        server.addJobArtifact(TEAM, "vision", "job-repo", FakeWandbServer.json("""
                {"source_type": "repo", "runtime": "3.10",
                 "source": {"git": {"remote": "https://github.com/org/vision.git", "commit": "abc123"},
                            "entrypoint": ["python", "train.py"], "notebook": false,
                            "build_context": "src", "dockerfile": "Dockerfile.wandb", "base_image": "python:3.10"}}"""),
                Map.of("diff.patch", bytes("--- a\n+++ b\n")));
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-repo:v0"));

        Job resolved = queue.resolve(job);

        assertThat(resolved.source()).isEqualTo(new JobSource.Git("https://github.com/org/vision.git", "abc123",
                java.util.List.of("python", "train.py"), "src", "Dockerfile.wandb", "python:3.10"));
        assertThat(Path.of(resolved.attributes().get("wandb.diff_patch"))).hasContent("--- a\n+++ b");
        assertThat(Path.of(resolved.attributes().get("wandb.requirements_frozen"))).exists();
    }

    @Test
    void theSpecsEntrypointOverrideWinsOverTheJobs() throws Exception {
        server.addJobArtifact(TEAM, "vision", "job-trainer", FakeWandbServer.json("""
                {"source_type": "image", "source": {"image": "trainer:1", "entrypoint": ["python", "train.py"]}}"""),
                Map.of());
        ObjectNode spec = jobSpec(TEAM, "vision", TEAM + "/vision/job-trainer:latest");
        spec.putObject("overrides").putArray("entry_point").add("python").add("eval.py");

        Job resolved = queue.resolve(popped(spec));

        assertThat(resolved.source().entrypoint()).containsExactly("python", "eval.py");
    }

    @Test
    void aCodeJobDownloadsItsCodeArtifactNextToTheFrozenRequirements() throws Exception {
        String codeId = server.addCodeArtifact(TEAM, "vision", "source-vision", Map.of(
                "train.py", bytes("print('train')\n"), "pkg/util.py", bytes("X = 1\n")));
        server.addJobArtifact(TEAM, "vision", "job-code", FakeWandbServer.json("""
                {"source_type": "artifact", "runtime": "3.12",
                 "source": {"artifact": "wandb-artifact://_id/%s", "entrypoint": ["python", "train.py"],
                            "notebook": false}}""".formatted(codeId)), Map.of());
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-code:latest"));

        Job resolved = queue.resolve(job);

        JobSource.Code code = (JobSource.Code) resolved.source();
        assertThat(code.directory().resolve("train.py")).hasContent("print('train')");
        assertThat(code.directory().resolve("pkg/util.py")).hasContent("X = 1");
        assertThat(code.directory().resolve("requirements.frozen.txt")).exists();
        assertThat(code.directory()).startsWith(downloads);
        assertThat(server.operations()).contains("ArtifactByID");
        assertThat(server.calls()).filteredOn(c -> c.kind() == RecordedCall.Kind.DOWNLOAD)
                .isNotEmpty().allSatisfy(c -> assertThat(c.authorization()).isFalse());

        queue.complete(resolved, RunStatus.of(RunState.PREEMPTED));

        assertThat(code.directory()).doesNotExist();
    }

    @Test
    void aMissingJobArtifactFailsAtStageAgentNamingIt() throws Exception {
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-gone:v3"));

        assertThatThrownBy(() -> queue.resolve(job))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("job artifact my-team/vision/job-gone:v3 was not found on " + server.baseUrl())
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT));
    }

    @Test
    void anArtifactThatIsNotAJobIsRefused() throws Exception {
        server.addCodeArtifact(TEAM, "vision", "not-a-job", Map.of("a.py", bytes("")));
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/not-a-job:latest"));

        assertThatThrownBy(() -> queue.resolve(job)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("is a 'code' artifact, not a job");
    }

    @Test
    void aJobWhoseCodeArtifactWasDeletedFailsClearly() throws Exception {
        String codeId = server.addCodeArtifact(TEAM, "vision", "source-vision", Map.of("train.py", bytes("")));
        server.deleteArtifact(codeId);
        server.addJobArtifact(TEAM, "vision", "job-code", FakeWandbServer.json("""
                {"source_type": "artifact", "source": {"artifact": "wandb-artifact://_id/%s",
                 "entrypoint": ["python", "train.py"]}}""".formatted(codeId)), Map.of());
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-code:latest"));

        assertThatThrownBy(() -> queue.resolve(job)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("references deleted code artifact source-vision:v0");
    }

    @Test
    void anExpiredSignedUrlIsReportedAsSuch() throws Exception {
        server.addJobArtifact(TEAM, "vision", "job-trainer", FakeWandbServer.json("""
                {"source_type": "image", "source": {"image": "trainer:1"}}"""), Map.of());
        server.signedUrlTtl(Duration.ofSeconds(-5));
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-trainer:latest"));

        assertThatThrownBy(() -> queue.resolve(job)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("Error accessing job my-team/vision/job-trainer:latest")
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("signed URL may have expired")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("X-Signature"));
    }

    @Test
    void notebookJobsAreRefusedWithAWayOut() throws Exception {
        server.addJobArtifact(TEAM, "vision", "job-nb", FakeWandbServer.json("""
                {"source_type": "repo", "source": {"git": {"remote": "https://github.com/o/r.git", "commit": "c"},
                 "entrypoint": ["python", "explore.ipynb"], "notebook": true}}"""), Map.of());
        Job job = popped(jobSpec(TEAM, "vision", TEAM + "/vision/job-nb:latest"));

        assertThatThrownBy(() -> queue.resolve(job)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("notebook job").hasMessageContaining("overrides.entry_point");
    }

    @Test
    void jobNamesWithoutEntityOrAliasUseTheSpecsAndLatest() {
        assertThat(ArtifactName.parse("vision/job-x", "team", "ignored"))
                .isEqualTo(new ArtifactName("team", "vision", "job-x", "latest"));
        assertThat(ArtifactName.parse("job-x:v2", "team", "vision"))
                .isEqualTo(new ArtifactName("team", "vision", "job-x", "v2"));
        assertThat(ArtifactName.parse("wandb-artifact://e/p/code:v1", "x", "y").toString()).isEqualTo("e/p/code:v1");
        assertThatThrownBy(() -> ArtifactName.parse("a/b/c/d", "e", "p")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDownloadedJobFilesMatchWhatWasLogged() throws Exception {
        server.addJobArtifact(TEAM, "vision", "job-trainer", FakeWandbServer.json("""
                {"source_type": "image", "source": {"image": "trainer:1"}}"""), Map.of());

        ResolvedJob r = new JobResolver(queue.session().client(), new dev.launchkit.core.SecretMasker())
                .resolve(new JobRequest(TEAM + "/vision/job-trainer", TEAM, "vision", java.util.List.of()),
                        downloads.resolve("direct"));

        assertThat(Files.readString(r.jobDirectory().resolve("wandb-job.json"))).contains("\"source_type\":\"image\"");
        assertThat(r.job().sourceType()).isEqualTo("image");
    }
}
