package dev.launchkit.builder.kaniko.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextPlannerTest {
    private final ContextPlanner planner = new ContextPlanner();

    @TempDir
    Path project;

    private ContextRequest request(String buildContext, String override, String jobDockerfile, List<String> entry,
                                   String baseImage) {
        return new ContextRequest(project, buildContext, override, jobDockerfile, entry, "3.11", baseImage, 1000);
    }

    private Map<String, String> files(ContextPlan plan) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ContextArchive().writeTarGz(plan.tree(), out);
        return ContextArchiveTest.contents(out.toByteArray());
    }

    @Test
    void overrideDockerfileWinsOverTheJobsDockerfileAndBecomesDockerfileWandb() throws IOException {
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.writeString(project.resolve("Dockerfile.override"), "FROM override\n");
        Files.writeString(project.resolve("Dockerfile.job"), "FROM job\n");

        ContextPlan plan = planner.plan(request("", "Dockerfile.override", "Dockerfile.job", List.of("python", "train.py"), ""));

        assertThat(plan.origin()).isEqualTo(ContextPlan.Origin.OVERRIDE);
        assertThat(files(plan)).containsEntry("Dockerfile.wandb", "FROM override\n").containsEntry("train.py", "print(1)\n");
    }

    @Test
    void jobsDockerfileIsUsedRelativeToTheBuildContext() throws IOException {
        Files.createDirectories(project.resolve("svc/docker"));
        Files.writeString(project.resolve("svc/app.py"), "app\n");
        Files.writeString(project.resolve("svc/docker/Dockerfile"), "FROM job\n");
        Files.writeString(project.resolve("outside.txt"), "not in the context\n");

        ContextPlan plan = planner.plan(request("svc", "", "docker/Dockerfile", List.of(), ""));

        assertThat(plan.origin()).isEqualTo(ContextPlan.Origin.JOB);
        assertThat(files(plan)).containsOnlyKeys("app.py", "docker/Dockerfile", "Dockerfile.wandb")
                .containsEntry("Dockerfile.wandb", "FROM job\n");
    }

    @Test
    void dockerfileWandbNextToTheEntrypointMakesItsDirectoryTheContext() throws IOException {
        Files.createDirectories(project.resolve("jobs/a"));
        Files.writeString(project.resolve("jobs/a/train.py"), "train\n");
        Files.writeString(project.resolve("jobs/a/Dockerfile.wandb"), "FROM custom\n");
        Files.writeString(project.resolve("README.md"), "readme\n");

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "jobs/a/train.py"), ""));

        assertThat(plan.origin()).isEqualTo(ContextPlan.Origin.ENTRYPOINT_DIRECTORY);
        assertThat(files(plan)).containsOnlyKeys("train.py", "Dockerfile.wandb");
    }

    @Test
    void generatesAPythonDockerfileThatInstallsRequirementsTxtAndPutsTheCodeUnderSrc() throws IOException {
        Files.writeString(project.resolve("train.py"), "train\n");
        Files.writeString(project.resolve("requirements.txt"), "wandb>=0.17\ntorch\n");

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "train.py"), ""));

        assertThat(plan.origin()).isEqualTo(ContextPlan.Origin.GENERATED);
        assertThat(plan.notes()).isEmpty();
        assertThat(files(plan)).containsKeys("src/train.py", "src/requirements.txt", "Dockerfile.wandb");
        assertThat(plan.dockerfile())
                .contains("FROM python:3.11-bookworm AS build")
                .contains("COPY src/requirements.txt requirements.txt")
                .contains("RUN WANDB_DISABLE_CACHE=true pip install --no-cache-dir uv && uv pip install --no-cache -r requirements.txt")
                .contains("FROM python:3.11-bookworm AS base")
                .contains("COPY --from=build /env /env")
                .contains("useradd --create-home --no-log-init --shell /bin/bash --gid 0 --uid 1000 launch_agent")
                .contains("USER launch_agent")
                .contains("COPY --chown=1000:0 src/ /home/launch_agent/")
                .endsWith("ENTRYPOINT [\"python\",\"train.py\"]\n");
    }

    @Test
    void notesWhenRequirementsTxtDoesNotListWandb() {
        writeQuietly("requirements.txt", "numpy\nwandb-utils\n");

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "train.py"), ""));

        assertThat(plan.notes()).singleElement().asString().contains("does not list wandb");
    }

    @Test
    void pyprojectDependenciesAreWrittenAsTheRequirementsToInstall() throws IOException {
        Files.writeString(project.resolve("pyproject.toml"), """
                [project]
                name = "demo"
                dependencies = [
                  "wandb>=0.17",
                  "numpy==2.1.0",
                ]
                [tool.other]
                dependencies = ["ignored"]
                """);

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "main.py"), ""));

        assertThat(files(plan)).containsEntry("src/requirements.txt", "wandb>=0.17\nnumpy==2.1.0\n")
                .containsKey("src/pyproject.toml");
        assertThat(plan.dockerfile()).contains("uv pip install --no-cache -r requirements.txt");
    }

    @Test
    void frozenRequirementsAreInstalledByTheBootstrapThatPrintsTheFailedPackagesMarker() throws IOException {
        Files.writeString(project.resolve("requirements.frozen.txt"), "numpy==2.1.0\ntorch==2.3.0+cu121\n");

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "main.py"), ""));

        Map<String, String> files = files(plan);
        assertThat(files).containsKeys("src/requirements.frozen.txt", PythonDockerfile.BOOTSTRAP);
        assertThat(files.get(PythonDockerfile.BOOTSTRAP)).contains("ERROR: Failed to install: ")
                .contains(". During automated build process.");
        assertThat(plan.dockerfile()).contains("COPY src/requirements.frozen.txt requirements.frozen.txt")
                .contains("python " + PythonDockerfile.BOOTSTRAP + " requirements.frozen.txt");
    }

    @Test
    void withoutAnyRequirementsFileTheImageGetsAnEmptyEnvAndANote() {
        writeQuietly("main.py", "print()\n");

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "main.py"), ""));

        assertThat(plan.dockerfile()).contains("RUN mkdir -p /env/");
        assertThat(plan.notes()).singleElement().asString().contains("no requirements file found");
    }

    @Test
    void acceleratorBaseImageGetsPythonInstalledWithApt() {
        writeQuietly("main.py", "print()\n");

        ContextPlan plan = planner.plan(request("", "", "", List.of("python", "main.py"),
                "nvidia/cuda:12.4.1-runtime-ubuntu22.04"));

        assertThat(plan.dockerfile())
                .contains("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS base")
                .contains("apt-get install -y -qq --no-install-recommends python3.11 libpython3.11 python3-pip python3-setuptools")
                .contains("update-alternatives --install /usr/bin/python python /usr/bin/python3.11 1")
                .doesNotContain("FROM python:3.11-bookworm AS base");
    }

    @Test
    void aMissingNamedDockerfileFailsTheBuildNamingThePath() {
        assertThatThrownBy(() -> planner.plan(request("", "docker/Missing", "", List.of(), "")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("overrides.dockerfile 'docker/Missing' was not found")
                .extracting(e -> ((LaunchException) e).stage()).isEqualTo(Stage.BUILD);
    }

    @Test
    void aBuildContextOutsideTheSourceIsRefused() {
        assertThatThrownBy(() -> planner.plan(request("../elsewhere", "", "", List.of(), "")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("build_context '../elsewhere' points outside the source");
    }

    @Test
    void pythonVersionMustBeMajorMinor() {
        assertThatThrownBy(() -> new PythonDockerfile("3", "", PythonDockerfile.Requirements.NONE, 1000, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be major.minor");
    }

    private void writeQuietly(String name, String content) {
        try {
            Files.writeString(project.resolve(name), content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
