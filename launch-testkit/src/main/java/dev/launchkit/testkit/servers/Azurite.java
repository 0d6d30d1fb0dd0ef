package dev.launchkit.testkit.servers;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Azurite's Blob service (npm {@code azurite} 3.37.0) started on 127.0.0.1 with a free port, a temporary location,
 * its well-known development account and {@code --skipApiVersionCheck} (azure-storage-blob 12.x speaks newer API
 * versions than Azurite knows). The binary is {@code $AZURITE_BLOB}, else
 * {@code <repo>/.tools/node_modules/.bin/azurite-blob} in the working directory or one of its parents (where
 * scripts/install-test-tools.sh installs it), else {@code azurite-blob} on the PATH.
 *
 * <pre>{@code
 * try (Azurite azurite = Azurite.start()) {
 *     BlobServiceClient blobs = new BlobServiceClientBuilder().endpoint(azurite.blobEndpoint())
 *         .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT, Azurite.KEY)).buildClient();
 * }
 * }</pre>
 */
public final class Azurite implements AutoCloseable {
    /** The development storage account every Azurite has. */
    public static final String ACCOUNT = "devstoreaccount1";
    /** Its well-known key (public, documented by Microsoft for the emulator). */
    public static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** What to do when the binary is missing. */
    public static final String INSTALL_HINT = "Install it with scripts/install-test-tools.sh (npm install "
            + "azurite@3.37.0 into .tools/) or point AZURITE_BLOB at an azurite-blob executable";
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;
    private final Path dir;
    private final int port;

    private Azurite(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts Azurite's Blob service and waits until it accepts connections.
     *
     * @throws AssertionError when azurite is not installed (saying how to install it) or does not start
     */
    public static Azurite start() {
        Path binary = binary().orElseThrow(() -> new AssertionError("azurite is not installed; this test starts it "
                + "on 127.0.0.1. " + INSTALL_HINT));
        int port = freePort();
        Path dir;
        try {
            dir = Files.createTempDirectory("launchkit-azurite");
        } catch (IOException e) {
            throw new AssertionError("could not create a directory for azurite", e);
        }
        Process p;
        try {
            p = new ProcessBuilder(binary.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                    String.valueOf(port), "--location", dir.resolve("data").toString(), "--skipApiVersionCheck",
                    "--loose", "--silent")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("azurite.log").toFile()).start();
        } catch (IOException e) {
            deleteTree(dir);
            throw new AssertionError("could not start " + binary, e);
        }
        Azurite azurite = new Azurite(p, dir, port);
        try {
            azurite.awaitListening();
            return azurite;
        } catch (AssertionError e) {
            azurite.close();
            throw e;
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (!listening()) {
            if (!process.isAlive()) {
                throw new AssertionError("azurite exited at start:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("azurite did not listen on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT_MS / 1000 + " s:\n" + log());
            }
            try {
                Thread.sleep(20); // poll interval, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for azurite", e);
            }
        }
    }

    static Optional<Path> binary() {
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
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isBlank())
                .map(d -> Path.of(d, "azurite-blob")).filter(Files::isExecutable).findFirst();
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port on 127.0.0.1", e);
        }
    }

    /** The development account's blob endpoint, {@code http://127.0.0.1:<port>/devstoreaccount1}. */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** What Azurite printed so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("azurite.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops Azurite (and the node processes it started) and deletes its data. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory left behind does no harm
        }
    }
}
