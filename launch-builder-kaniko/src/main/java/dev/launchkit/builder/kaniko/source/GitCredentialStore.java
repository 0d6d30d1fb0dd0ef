package dev.launchkit.builder.kaniko.source;

import dev.launchkit.core.SecretMasker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * Credentials from git-credential-store files ({@code ~/.git-credentials}: one
 * {@code https://user:password@host[:port][/path]} per line, URL-encoded), the files the W&B Helm chart's
 * {@code gitCreds} mounts. A remote matches an entry with the same scheme, host and port; an entry with a path
 * matches only remotes under that path (git's {@code credential.useHttpPath}); the first match wins, as in git.
 *
 * <p>Every password read is registered with the masker. Immutable and thread-safe.
 */
public final class GitCredentialStore extends CredentialsProvider {
    private final List<Entry> entries;

    private record Entry(String scheme, String host, int port, String path, String user, String password) {
        @Override
        public String toString() {
            return scheme + "://" + user + "@" + host + (port > 0 ? ":" + port : "") + path;
        }
    }

    private GitCredentialStore(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads the given files; missing files are skipped (a chart without {@code gitCreds} mounts none), unparsable
     * lines are ignored as git does.
     */
    public static GitCredentialStore read(List<Path> files, SecretMasker masker) {
        List<Entry> entries = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read git credentials file " + file + ": " + e.getMessage(), e);
            }
            for (String line : lines) {
                parse(line.strip()).ifPresent(e -> {
                    masker.register(e.password());
                    entries.add(e);
                });
            }
        }
        return new GitCredentialStore(entries);
    }

    /** A user name and password; {@link #toString()} hides the password. */
    public record Credential(String user, String password) {
        @Override
        public String toString() {
            return "Credential[user=" + user + ", password=" + dev.launchkit.core.SecretMasker.MASK + "]";
        }
    }

    /** Number of usable entries. */
    public int size() {
        return entries.size();
    }

    /** The user and password for a remote, when an entry matches. */
    public Optional<Credential> lookup(URIish uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        for (Entry e : entries) {
            if (e.scheme().equals(scheme) && e.host().equals(host) && samePort(e.port(), port, scheme)
                    && (e.path().isEmpty() || path.startsWith(e.path()))) {
                return Optional.of(new Credential(e.user(), e.password()));
            }
        }
        return Optional.empty();
    }

    private static boolean samePort(int a, int b, String scheme) {
        int def = "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
        return (a <= 0 ? def : a) == (b <= 0 ? def : b);
    }

    private static Optional<Entry> parse(String line) {
        if (line.isEmpty() || line.startsWith("#")) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(line);
            String info = uri.getRawUserInfo();
            if (uri.getScheme() == null || uri.getHost() == null || info == null) {
                return Optional.empty();
            }
            int colon = info.indexOf(':');
            String user = decode(colon < 0 ? info : info.substring(0, colon));
            String password = colon < 0 ? "" : decode(info.substring(colon + 1));
            String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : decode(uri.getRawPath());
            return Optional.of(new Entry(uri.getScheme().toLowerCase(Locale.ROOT), uri.getHost().toLowerCase(Locale.ROOT),
                    uri.getPort(), path, user, password));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public boolean isInteractive() {
        return false;
    }

    @Override
    public boolean supports(CredentialItem... items) {
        for (CredentialItem i : items) {
            if (!(i instanceof CredentialItem.Username) && !(i instanceof CredentialItem.Password)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
        Optional<Credential> found = lookup(uri);
        if (found.isEmpty()) {
            return false;
        }
        for (CredentialItem item : items) {
            if (item instanceof CredentialItem.Username u) {
                u.setValue(found.get().user());
            } else if (item instanceof CredentialItem.Password p) {
                p.setValue(found.get().password().toCharArray());
            } else if (item instanceof CredentialItem.StringType s && s.getPromptText().toLowerCase(Locale.ROOT).contains("password")) {
                s.setValue(found.get().password());
            } else {
                throw new UnsupportedCredentialItem(uri, item.getClass().getSimpleName() + ": " + item.getPromptText());
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "GitCredentialStore[" + entries.size() + " entries]";
    }
}
