package dev.launchkit.builder.kaniko.source;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which git remotes the builder may clone: {@code https://}, {@code ssh://} and scp-like {@code user@host:path}.
 * Everything else is refused before any git code runs: {@code file://} and plain paths would read the agent's own
 * disk (service-account tokens, credentials), {@code ext::} runs a command, and plain {@code http://} sends
 * credentials in the clear. The same rule as the W&B agent, which passes {@code protocol.file.allow=never} and
 * {@code protocol.ext.allow=never} to git.
 */
public final class GitRemotes {
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!//)[^\\s]+");

    private GitRemotes() {
    }

    /**
     * Checks a remote.
     *
     * @param remote the remote URL as the job gives it
     * @param what   what to call it in the message, e.g. {@code source.git.remote} or {@code submodule 'lib'}
     * @throws LaunchException at stage {@link Stage#AGENT} saying which forms are accepted
     */
    public static void validate(String remote, String what) {
        String r = remote == null ? "" : remote.strip();
        if (r.isEmpty()) {
            throw refuse(what, remote, "it is empty");
        }
        if (r.startsWith("-")) {
            throw refuse(what, remote, "it starts with '-', which git would read as an option");
        }
        String lower = r.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:") || lower.startsWith("ext::") || lower.contains("::")) {
            throw refuse(what, remote, "file:// and ext:: transports are never allowed");
        }
        if (lower.startsWith("https://") || lower.startsWith("ssh://")) {
            try {
                URI uri = new URI(r);
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw refuse(what, remote, "it has no host");
                }
            } catch (URISyntaxException e) {
                throw refuse(what, remote, "it is not a valid URL (" + e.getReason() + ")");
            }
            return;
        }
        if (lower.startsWith("http://")) {
            throw refuse(what, remote, "plain http:// would send credentials unencrypted; use https://");
        }
        if (SCP_LIKE.matcher(r).matches()) {
            return;
        }
        throw refuse(what, remote, "it is not an https:// or ssh remote");
    }

    /** The remote without user info ({@code https://token@host/x} → {@code https://host/x}), safe for messages. */
    public static String redact(String remote) {
        if (remote == null) {
            return "";
        }
        int scheme = remote.indexOf("://");
        if (scheme < 0) {
            return remote;
        }
        int start = scheme + 3;
        int slash = remote.indexOf('/', start);
        int at = remote.lastIndexOf('@', slash < 0 ? remote.length() : slash);
        return at > start ? remote.substring(0, start) + remote.substring(at + 1) : remote;
    }

    private static LaunchException refuse(String what, String remote, String why) {
        return new LaunchException(Stage.AGENT, what + " '" + redact(remote) + "' cannot be cloned: " + why
                + ". Use an https:// remote (credentials from ~/.git-credentials) or an ssh remote "
                + "(ssh://git@host/org/repo.git or git@host:org/repo.git, keys from ~/.ssh)");
    }
}
