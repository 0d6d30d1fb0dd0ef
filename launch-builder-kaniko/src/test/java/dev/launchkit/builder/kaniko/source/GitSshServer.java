package dev.launchkit.builder.kaniko.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git server over SSH on 127.0.0.1 (Apache MINA sshd, public-key authentication for user {@code git} only) that
 * runs {@code git-upload-pack '<repo>'} with JGit's {@link UploadPack}, as git's ssh transport expects.
 */
final class GitSshServer implements AutoCloseable {
    private final SshServer sshd;
    private final KeyPair hostKey;
    private final Map<String, Repository> repos = new ConcurrentHashMap<>();

    GitSshServer(PublicKey allowedUserKey) throws Exception {
        hostKey = ecKeyPair();
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPublickeyAuthenticator((user, key, session) -> "git".equals(user) && KeyUtils.compareKeys(key, allowedUserKey));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setCommandFactory((channel, command) -> new UploadPackCommand(command));
        sshd.start();
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        return gen.generateKeyPair();
    }

    /** Writes {@code key} as an OpenSSH private key file (mode 600), as ssh-keygen would. */
    static void writePrivateKey(KeyPair key, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            new OpenSSHKeyPairResourceWriter().writePrivateKey(key, "launch-test", null, out);
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /** The known_hosts line for this server. */
    String knownHostsLine() {
        return "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    String serve(String name, Repository repo) {
        repos.put(name + ".git", repo);
        return "ssh://git@127.0.0.1:" + sshd.getPort() + "/" + name + ".git";
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    private final class UploadPackCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadPackCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(this::run, "git-ssh-upload-pack");
            t.setDaemon(true);
            t.start();
        }

        private void run() {
            String prefix = "git-upload-pack ";
            if (!command.startsWith(prefix)) {
                exit.onExit(127, "only git-upload-pack is served");
                return;
            }
            String path = command.substring(prefix.length()).replace("'", "");
            Repository repo = repos.get(path.startsWith("/") ? path.substring(1) : path);
            if (repo == null) {
                exit.onExit(128, "no repository " + path);
                return;
            }
            try {
                new UploadPack(repo).upload(in, out, err);
                out.flush();
                exit.onExit(0);
            } catch (IOException e) {
                exit.onExit(1, e.getMessage());
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
