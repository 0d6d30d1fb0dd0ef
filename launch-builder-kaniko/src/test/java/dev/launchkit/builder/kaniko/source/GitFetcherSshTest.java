package dev.launchkit.builder.kaniko.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitFetcherSshTest {
    @TempDir
    static Path tmp;

    private static KeyPair userKey;
    private static GitSshServer server;
    private static String url;
    private static RevCommit head;

    @BeforeAll
    static void startServer() throws Exception {
        userKey = GitSshServer.ecKeyPair();
        server = new GitSshServer(userKey.getPublic());
        Git app = TestRepos.init(tmp.resolve("app"));
        head = TestRepos.commit(app, Map.of("train.py", "print('ssh')\n"), "ssh");
        url = server.serve("app", app.getRepository());
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** A home directory laid out like the W&B chart's: ~/.ssh/config naming ~/.ssh/id_repo0. */
    private static Path home(boolean knownHost) throws Exception {
        Path home = Files.createTempDirectory(tmp, "home");
        GitSshServer.writePrivateKey(userKey, home.resolve(".ssh/id_repo0"));
        Files.writeString(home.resolve(".ssh/config"), """
                Host 127.0.0.1
                  User git
                  IdentityFile ~/.ssh/id_repo0
                  StrictHostKeyChecking yes
                """);
        Files.writeString(home.resolve(".ssh/known_hosts"), knownHost ? server.knownHostsLine() + "\n" : "");
        return home;
    }

    @Test
    void clonesAnSshRemoteWithTheKeyNamedInSshConfig() throws Exception {
        Path into = tmp.resolve("clone");
        GitFetcher fetcher = new GitFetcher(new GitSettings(home(true), List.of(), List.of(), Duration.ofSeconds(30)),
                new SecretMasker());

        FetchedSource fetched = fetcher.fetch(new JobSource.Git(url, "main", List.of(), "", "", ""), into);

        assertThat(fetched.commit()).isEqualTo(head.name());
        assertThat(into.resolve("train.py")).hasContent("print('ssh')");
    }

    @Test
    void anUnknownHostKeyIsRefusedWhenSshConfigSaysStrict() throws Exception {
        GitFetcher fetcher = new GitFetcher(new GitSettings(home(false), List.of(), List.of(), Duration.ofSeconds(30)),
                new SecretMasker());

        assertThatThrownBy(() -> fetcher.fetch(new JobSource.Git(url, "", List.of(), "", "", ""), tmp.resolve("x")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("cannot fetch " + GitRemotes.redact(url))
                .hasMessageContaining("known_hosts");
    }
}
