package dev.launchkit.registry.acr.testing;

import dev.launchkit.core.registry.testing.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Azurite's Blob service (npm {@code azurite} 3.37.0) started on 127.0.0.1 with a temporary location, its well-known
 * development account and {@code --skipApiVersionCheck} (azure-storage-blob 12.37 speaks a newer API version than
 * Azurite knows). Found at {@code $AZURITE_BLOB}, else {@code <repo>/.tools/node_modules/.bin/azurite-blob} (where
 * scripts/install-test-tools.sh installs it), else on the PATH.
 */
public final class Azurite implements AutoCloseable {
    /** The development storage account every Azurite has. */
    public static final String ACCOUNT = "devstoreaccount1";
    /** Its well-known key (public, documented by Microsoft for the emulator). */
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;
    private final Path dir;
    private final int port;

    private Azurite(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static Azurite start() {
        Path binary = binary().orElseThrow(() -> new AssertionError("azurite is not installed; this test starts it "
                + "on 127.0.0.1. Install it with scripts/install-test-tools.sh (npm install azurite@3.37.0 into "
                + ".tools/) or point AZURITE_BLOB at azurite-blob"));
        int port = Tools.freePort();
        try {
            Path dir = Files.createTempDirectory("launchkit-azurite");
            Process p = new ProcessBuilder(binary.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                    String.valueOf(port), "--location", dir.resolve("data").toString(), "--skipApiVersionCheck",
                    "--loose", "--silent")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("azurite.log").toFile()).start();
            Azurite azurite = new Azurite(p, dir, port);
            try {
                Tools.await(() -> !p.isAlive() || azurite.listening(), Duration.ofSeconds(30),
                        "azurite on 127.0.0.1:" + port);
                if (!p.isAlive()) {
                    throw new AssertionError("azurite exited at start:\n" + Files.readString(dir.resolve(
                            "azurite.log"), StandardCharsets.UTF_8));
                }
            } catch (AssertionError e) {
                azurite.close();
                throw e;
            }
            return azurite;
        } catch (IOException e) {
            throw new AssertionError("could not start azurite", e);
        }
    }

    private static Optional<Path> binary() {
        String env = System.getenv("AZURITE_BLOB");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Optional.of(Path.of(env));
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(".tools/node_modules/.bin/azurite-blob");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Tools.find("azurite-blob");
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The development account's blob endpoint, {@code http://127.0.0.1:<port>/devstoreaccount1}. */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    @Override
    public void close() {
        Tools.stop(process);
        Tools.deleteTree(dir);
    }
}
