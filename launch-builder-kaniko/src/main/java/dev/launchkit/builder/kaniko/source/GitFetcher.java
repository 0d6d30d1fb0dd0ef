package dev.launchkit.builder.kaniko.source;

import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.submodule.SubmoduleWalk;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Clones a {@link JobSource.Git} with JGit: https remotes with credentials from git-credential-store files (and an
 * optional extra CA bundle), ssh remotes with the keys, {@code config} and {@code known_hosts} of {@code ~/.ssh}.
 * Checks out the job's commit, branch or tag (the remote's default branch when it names none) and the submodules,
 * recursively. Remotes and submodule URLs are checked by {@link GitRemotes} first, and the transport layer refuses
 * anything but https and ssh again, so a {@code .gitmodules} cannot point the agent at its own disk.
 *
 * <p>Thread-safe: every fetch opens its own repository and ssh session factory.
 */
public final class GitFetcher {
    private static final int MAX_SUBMODULE_DEPTH = 5;

    private final GitSettings settings;
    private final SecretMasker masker;
    private final X509TrustManager trust;

    public GitFetcher(GitSettings settings, SecretMasker masker) {
        this.settings = settings;
        this.masker = masker;
        this.trust = settings.caBundles().isEmpty() ? null : dev.launchkit.core.tls.TrustBundles.trustManager(List.of(settings.caBundles().get(0)));
    }

    /**
     * Clones the source into the empty directory {@code into}.
     *
     * @throws LaunchException at stage {@link Stage#AGENT} when the remote is refused, cannot be reached or
     *                         authenticated, or the commit does not exist; the message never holds a secret
     */
    public FetchedSource fetch(JobSource.Git source, Path into) {
        String remote = source.remote().strip();
        GitRemotes.validate(remote, "source.git.remote");
        registerUserInfo(remote);
        GitCredentialStore credentials = GitCredentialStore.read(settings.credentialFiles(), masker);
        SshdSessionFactory ssh = new SshdSessionFactoryBuilder()
                .setHomeDirectory(settings.home().toFile())
                .setSshDirectory(settings.sshDirectory().toFile())
                .build(null);
        try (Git git = Git.cloneRepository()
                .setURI(remote)
                .setDirectory(into.toFile())
                .setCloneAllBranches(true)
                .setNoCheckout(!source.commit().isEmpty())
                .setCredentialsProvider(credentials)
                .setTransportConfigCallback(t -> configure(t, ssh))
                .setTimeout((int) settings.timeout().toSeconds())
                .call()) {
            Repository repo = git.getRepository();
            if (!source.commit().isEmpty()) {
                checkoutDetached(repo, resolve(repo, source.commit(), remote));
            }
            updateSubmodules(git, credentials, ssh, 0);
            ObjectId head = repo.resolve("HEAD");
            return new FetchedSource(into, head == null ? "" : head.name());
        } catch (GitAPIException | IOException | ConfigInvalidException e) {
            throw new LaunchException(Stage.AGENT, "cannot fetch " + GitRemotes.redact(remote)
                    + (source.commit().isEmpty() ? "" : " at '" + source.commit() + "'") + ": "
                    + masker.mask(rootMessage(e)) + ". Check that the remote exists and that the agent has access "
                    + "(https: ~/.git-credentials; ssh: a key and known_hosts in ~/.ssh)", e);
        } catch (org.eclipse.jgit.api.errors.JGitInternalException e) {
            throw new LaunchException(Stage.AGENT, "cannot fetch " + GitRemotes.redact(remote) + ": "
                    + masker.mask(rootMessage(e)), e);
        } finally {
            ssh.close();
        }
    }

    /** Fills the empty working tree of a no-checkout clone with {@code commit} and detaches HEAD there. */
    private static void checkoutDetached(Repository repo, ObjectId commit) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(commit);
            DirCache index = repo.lockDirCache();
            try {
                DirCacheCheckout checkout = new DirCacheCheckout(repo, index, c.getTree());
                checkout.setFailOnConflict(true);
                checkout.checkout();
            } finally {
                index.unlock();
            }
            RefUpdate head = repo.updateRef(Constants.HEAD, true);
            head.setNewObjectId(c.getId());
            head.forceUpdate();
        }
    }

    private ObjectId resolve(Repository repo, String commit, String remote) throws IOException {
        Ref branch = repo.exactRef("refs/remotes/origin/" + commit);
        if (branch != null) {
            return branch.getObjectId();
        }
        Ref tag = repo.exactRef("refs/tags/" + commit);
        if (tag != null) {
            Ref peeled = repo.getRefDatabase().peel(tag);
            return peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : peeled.getObjectId();
        }
        ObjectId id = null;
        try {
            id = repo.resolve(commit + "^{commit}");
        } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.AmbiguousObjectException e) {
            // fall through to the not-found message, which says what was tried
        }
        if (id == null) {
            throw new LaunchException(Stage.AGENT, "'" + commit + "' is not a branch, tag or commit of "
                    + GitRemotes.redact(remote) + "; fix source.git.commit");
        }
        return id;
    }

    private void updateSubmodules(Git git, GitCredentialStore credentials, SshdSessionFactory ssh, int depth)
            throws GitAPIException, IOException, ConfigInvalidException {
        Repository repo = git.getRepository();
        List<String> paths = new ArrayList<>();
        try (SubmoduleWalk walk = SubmoduleWalk.forIndex(repo)) {
            while (walk.next()) {
                String url = walk.getModulesUrl();
                if (url == null) {
                    continue;
                }
                String resolved = SubmoduleWalk.getSubmoduleRemoteUrl(repo, url);
                GitRemotes.validate(resolved, "submodule '" + walk.getPath() + "'");
                registerUserInfo(resolved);
                paths.add(walk.getPath());
            }
        }
        if (paths.isEmpty()) {
            return;
        }
        if (depth >= MAX_SUBMODULE_DEPTH) {
            throw new LaunchException(Stage.AGENT, "submodules are nested more than " + MAX_SUBMODULE_DEPTH
                    + " levels deep in " + repo.getWorkTree() + "; flatten them");
        }
        git.submoduleInit().call();
        git.submoduleUpdate()
                .setCredentialsProvider(credentials)
                .setTransportConfigCallback(t -> configure(t, ssh))
                .call();
        for (String path : paths) {
            try (Repository sub = SubmoduleWalk.getSubmoduleRepository(repo, path)) {
                if (sub != null) {
                    try (Git subGit = new Git(sub)) {
                        updateSubmodules(subGit, credentials, ssh, depth + 1);
                    }
                }
            }
        }
    }

    /** Second line of defence after {@link GitRemotes}: only https and ssh transports are ever opened. */
    private void configure(Transport transport, SshdSessionFactory ssh) {
        URIish uri = transport.getURI();
        if (transport instanceof TransportHttp http && "https".equalsIgnoreCase(uri.getScheme())) {
            if (trust != null) {
                http.setHttpConnectionFactory(new TrustingFactory(trust));
            }
        } else if (transport instanceof SshTransport sshTransport) {
            sshTransport.setSshSessionFactory(ssh);
        } else {
            throw new LaunchException(Stage.AGENT, "refusing to open a " + transport.getClass().getSimpleName()
                    + " transport to " + GitRemotes.redact(uri.toString()) + ": only https and ssh remotes are allowed");
        }
    }

    private void registerUserInfo(String remote) {
        try {
            URIish uri = new URIish(remote);
            masker.register(uri.getPass());
        } catch (java.net.URISyntaxException e) {
            // GitRemotes.validate already accepted it; nothing secret can be extracted from an unparsable URL
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !sb.toString().contains(t.getMessage())) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString();
    }

    /** JDK connections that trust the configured CA bundle in addition to the JVM's CAs. */
    private record TrustingFactory(X509TrustManager trust) implements HttpConnectionFactory {
        private static final JDKHttpConnectionFactory JDK = new JDKHttpConnectionFactory();

        @Override
        public HttpConnection create(URL url) throws IOException {
            return trusting(JDK.create(url));
        }

        @Override
        public HttpConnection create(URL url, Proxy proxy) throws IOException {
            return trusting(JDK.create(url, proxy));
        }

        private HttpConnection trusting(HttpConnection c) throws IOException {
            try {
                c.configure(null, new TrustManager[] {trust}, null);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS with the configured CA bundle: " + e.getMessage(), e);
            }
            return c;
        }
    }
}
