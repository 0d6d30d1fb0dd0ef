package dev.launchkit.builder.kaniko.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitFetcherHttpsTest {
    private static final String PASSWORD = "ghp_s3cretT0ken";

    @TempDir
    static Path tmp;

    private SelfSignedCertificate cert;
    private GitHttpsServer server;
    private String appUrl;
    private RevCommit first;
    private RevCommit second;
    private RevCommit featureCommit;

    @BeforeAll
    void startServer() throws Exception {
        cert = SelfSignedCertificate.create(Files.createDirectories(tmp.resolve("cert")));
        server = new GitHttpsServer(cert, "alice", PASSWORD);

        Git lib = TestRepos.init(tmp.resolve("lib"));
        RevCommit libCommit = TestRepos.commit(lib, Map.of("util.py", "def util(): pass\n"), "lib");
        server.serve("lib", lib.getRepository());

        Git app = TestRepos.init(tmp.resolve("app"));
        first = TestRepos.commit(app, Map.of("train.py", "print('v1')\n", "requirements.txt", "wandb\n"), "v1");
        app.tag().setName("v1").setSigned(false).setAnnotated(true).setMessage("v1").call();
        app.branchCreate().setName("feature").call();
        app.checkout().setName("feature").call();
        featureCommit = TestRepos.commit(app, Map.of("train.py", "print('feature')\n"), "feature");
        app.checkout().setName("main").call();
        TestRepos.commit(app, Map.of("train.py", "print('v2')\n"), "v2");
        second = TestRepos.addSubmodule(app, "lib", "../lib.git", libCommit);
        appUrl = server.serve("app", app.getRepository());

        Git evil = TestRepos.init(tmp.resolve("evil"));
        TestRepos.commit(evil, Map.of("a.py", "a\n"), "a");
        TestRepos.addSubmodule(evil, "secrets", "file:///var/run/secrets", libCommit);
        server.serve("evil", evil.getRepository());
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    private GitFetcher fetcher(String credentialsLine, boolean trustServer, SecretMasker masker) throws Exception {
        Path home = Files.createTempDirectory(tmp, "home");
        Files.writeString(home.resolve(".git-credentials"), credentialsLine + "\n");
        return new GitFetcher(new GitSettings(home, List.of(home.resolve(".git-credentials")),
                trustServer ? List.of(cert.pem) : List.of(), Duration.ofSeconds(30)), masker);
    }

    private String credentials(String password) {
        return "https://alice:" + password + "@127.0.0.1:" + server.port();
    }

    @Test
    void clonesTheDefaultBranchWithSubmodulesUsingGitCredentialsAndTheCaBundle() throws Exception {
        Path into = tmp.resolve("clone-default");

        FetchedSource fetched = fetcher(credentials(PASSWORD), true, new SecretMasker())
                .fetch(new JobSource.Git(appUrl, "", List.of(), "", "", ""), into);

        assertThat(fetched.commit()).isEqualTo(second.name());
        assertThat(into.resolve("train.py")).hasContent("print('v2')");
        assertThat(into.resolve("lib/util.py")).hasContent("def util(): pass");
    }

    @Test
    void checksOutABranchATagOrACommit() throws Exception {
        GitFetcher fetcher = fetcher(credentials(PASSWORD), true, new SecretMasker());

        FetchedSource branch = fetcher.fetch(new JobSource.Git(appUrl, "feature", List.of(), "", "", ""), tmp.resolve("b"));
        FetchedSource tag = fetcher.fetch(new JobSource.Git(appUrl, "v1", List.of(), "", "", ""), tmp.resolve("t"));
        FetchedSource sha = fetcher.fetch(new JobSource.Git(appUrl, first.name().substring(0, 10), List.of(), "", "", ""),
                tmp.resolve("c"));

        assertThat(branch.commit()).isEqualTo(featureCommit.name());
        assertThat(tmp.resolve("b/train.py")).hasContent("print('feature')");
        assertThat(tag.commit()).isEqualTo(first.name());
        assertThat(sha.commit()).isEqualTo(first.name());
        assertThat(tmp.resolve("c/train.py")).hasContent("print('v1')");
    }

    @Test
    void anUnknownCommitFailsNamingIt() throws Exception {
        GitFetcher fetcher = fetcher(credentials(PASSWORD), true, new SecretMasker());

        assertThatThrownBy(() -> fetcher.fetch(new JobSource.Git(appUrl, "no-such-branch", List.of(), "", "", ""),
                tmp.resolve("x")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("'no-such-branch' is not a branch, tag or commit");
    }

    @Test
    void wrongCredentialsFailAtTheAgentStageWithoutShowingAnyPassword() throws Exception {
        SecretMasker masker = new SecretMasker();
        GitFetcher fetcher = fetcher(credentials("wrong-password-123"), true, masker);

        assertThatThrownBy(() -> fetcher.fetch(new JobSource.Git(appUrl, "", List.of(), "", "", ""), tmp.resolve("w")))
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT))
                .hasMessageContaining("cannot fetch " + appUrl)
                .hasMessageContaining("~/.git-credentials")
                .hasMessageNotContaining("wrong-password-123");
        assertThat(masker.mask("x wrong-password-123 y")).isEqualTo("x **** y");
    }

    @Test
    void tokensInTheRemoteUrlAreMaskedAndStillUsed() throws Exception {
        SecretMasker masker = new SecretMasker();
        String withToken = appUrl.replace("https://", "https://alice:" + PASSWORD + "@");

        FetchedSource fetched = fetcher("", true, masker).fetch(new JobSource.Git(withToken, "", List.of(), "", "", ""),
                tmp.resolve("tok"));

        assertThat(fetched.commit()).isEqualTo(second.name());
        assertThat(masker.mask(withToken)).doesNotContain(PASSWORD);
    }

    @Test
    void anUntrustedServerCertificateIsRefusedWithoutTheCaBundle() throws Exception {
        GitFetcher fetcher = fetcher(credentials(PASSWORD), false, new SecretMasker());

        assertThatThrownBy(() -> fetcher.fetch(new JobSource.Git(appUrl, "", List.of(), "", "", ""), tmp.resolve("u")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("cannot fetch " + appUrl);
    }

    @Test
    void aSubmoduleWithAFileUrlIsRefusedBeforeAnythingIsRead() throws Exception {
        String evilUrl = appUrl.replace("/app.git", "/evil.git");
        GitFetcher fetcher = fetcher(credentials(PASSWORD), true, new SecretMasker());

        assertThatThrownBy(() -> fetcher.fetch(new JobSource.Git(evilUrl, "", List.of(), "", "", ""), tmp.resolve("e")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("submodule 'secrets' 'file:///var/run/secrets' cannot be cloned")
                .hasMessageContaining("file:// and ext::");
        assertThat(tmp.resolve("e/secrets")).isEmptyDirectory();
    }
}
