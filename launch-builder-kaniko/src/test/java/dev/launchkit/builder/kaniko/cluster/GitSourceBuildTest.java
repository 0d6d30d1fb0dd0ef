package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.builder.kaniko.source.GitHttpsServer;
import dev.launchkit.builder.kaniko.source.SelfSignedCertificate;
import dev.launchkit.builder.kaniko.source.TestRepos;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchSpec;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A git job: cloned over HTTPS with ~/.git-credentials and the configured CA bundle, built from its build_context. */
class GitSourceBuildTest {
    @TempDir
    Path tmp;

    @Test
    void clonesWithTheAgentsGitCredentialsAndBuildsTheJobsSubdirectory() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(Files.createDirectories(tmp.resolve("cert")));
        try (GitHttpsServer git = new GitHttpsServer(cert, "bot", "gh-token-123456");
             BuildHarness h = new BuildHarness(tmp)) {
            Git repo = TestRepos.init(tmp.resolve("repo"));
            TestRepos.commit(repo, Map.of("svc/train.py", "print('git')\n", "svc/requirements.txt", "wandb\n",
                    "docs/readme.md", "not in the context\n"), "init");
            String url = git.serve("ml", repo.getRepository());
            Files.writeString(tmp.resolve(".git-credentials"), "https://bot:gh-token-123456@127.0.0.1:" + git.port() + "\n");
            Path pvc = Files.createDirectories(tmp.resolve("pvc"));
            h.builder("builder: {type: kaniko, git-ca-bundle: '" + cert.pem + "'}", Map.of(
                    "WANDB_LAUNCH_KANIKO_PVC_NAME", "claim", "WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH", pvc.toString()),
                    TestRegistry.anonymous("registry.internal:5000/launch"), null);
            Job job = new Job("item", "q", "e", LaunchSpec.parse("{}"),
                    new JobSource.Git(url, "main", List.of("python", "train.py"), "svc", "", ""), "gitrun", Map.of());

            List<String> names = new ArrayList<>();
            h.duringBuild(created -> names.addAll(names(Files.readAllBytes(pvc.resolve("gitrun.tgz")))));

            ImageRef image = h.build(job);

            assertThat(h.createdJob("gitrun").getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .contains("--context=tar:///context/gitrun.tgz", "--destination=" + image);
            assertThat(names).contains("Dockerfile.wandb", "src/train.py", "src/requirements.txt")
                    .noneMatch(n -> n.startsWith("src/docs") || n.contains(".git/"));
            assertThat(h.logs).anyMatch(l -> l.startsWith("build: fetched git " + url + "@main at "));
            assertThat(h.logs).noneMatch(l -> l.contains("gh-token-123456"));
        }
    }

    private static List<String> names(byte[] tgz) throws Exception {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                out.add(e.getName());
            }
        }
        return out;
    }
}
