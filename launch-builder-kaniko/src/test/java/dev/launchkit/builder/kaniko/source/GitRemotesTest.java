package dev.launchkit.builder.kaniko.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.LaunchException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GitRemotesTest {

    @ParameterizedTest
    @ValueSource(strings = {"https://github.com/org/repo.git", "ssh://git@github.com/org/repo.git",
            "git@github.com:org/repo.git", "https://x-access-token:abc@github.com/org/repo"})
    void acceptsHttpsAndSshRemotes(String remote) {
        assertThatCode(() -> GitRemotes.validate(remote, "source.git.remote")).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "file:///var/run/secrets/kubernetes.io|file:// and ext:: transports are never allowed",
            "FILE:///etc|file:// and ext:: transports are never allowed",
            "ext::sh -c touch% /tmp/pwned|file:// and ext:: transports are never allowed",
            "/home/launch_agent/.ssh|it is not an https:// or ssh remote",
            "../other-repo|it is not an https:// or ssh remote",
            "http://github.com/org/repo.git|plain http:// would send credentials unencrypted",
            "--upload-pack=touch /tmp/x|starts with '-'",
            "https:///no-host|it has no host"})
    void refusesEverythingElseSayingWhatIsAccepted(String remote, String why) {
        assertThatThrownBy(() -> GitRemotes.validate(remote, "source.git.remote"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("source.git.remote")
                .hasMessageContaining(why)
                .hasMessageContaining("Use an https:// remote");
    }

    @Test
    void redactsUserInfoFromUrls() {
        assertThat(GitRemotes.redact("https://user:tok@github.com/org/r.git")).isEqualTo("https://github.com/org/r.git");
        assertThat(GitRemotes.redact("git@github.com:org/r.git")).isEqualTo("git@github.com:org/r.git");
    }
}
