package dev.launchkit.builder.kaniko.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the builder finds git credentials, following the W&B Helm chart's mounts in the agent's home directory.
 *
 * @param home            the agent's home directory ({@code HOME}); {@code ~/.ssh} is {@code home/.ssh}
 * @param credentialFiles git-credential-store files, first match wins (default {@code ~/.git-credentials})
 * @param caBundles       extra PEM CA bundles to trust for https remotes (e.g. {@code REQUESTS_CA_BUNDLE})
 * @param timeout         network timeout of one git operation
 */
public record GitSettings(Path home, List<Path> credentialFiles, List<Path> caBundles, Duration timeout) {

    public GitSettings {
        Objects.requireNonNull(home, "home");
        credentialFiles = List.copyOf(credentialFiles == null ? List.of() : credentialFiles);
        caBundles = List.copyOf(caBundles == null ? List.of() : caBundles);
        timeout = timeout == null ? Duration.ofMinutes(5) : timeout;
    }

    /** {@code home/.ssh}, where ssh keys, {@code config} and {@code known_hosts} live. */
    public Path sshDirectory() {
        return home.resolve(".ssh");
    }

    /** The defaults for a home directory: {@code ~/.git-credentials}, no extra CA, 5 minutes. */
    public static GitSettings defaults(Path home) {
        return new GitSettings(home, List.of(home.resolve(".git-credentials")), List.of(), Duration.ofMinutes(5));
    }
}
