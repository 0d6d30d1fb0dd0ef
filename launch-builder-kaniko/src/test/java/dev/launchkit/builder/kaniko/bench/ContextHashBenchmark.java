package dev.launchkit.builder.kaniko.bench;

import dev.launchkit.builder.kaniko.context.ContextArchive;
import dev.launchkit.builder.kaniko.context.ContextTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Context hashing throughput: a 100 MB tree of 10,000 files is walked and hashed as the builder does (tar stream
 * through SHA-256), next to a plain SHA-256 of the same file bytes and to writing the tar.gz. Not a test: run it with
 * {@code mvn -pl launch-builder-kaniko -am test -Pbench -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Arguments (optional): total MB, file count, measured rounds.
 */
public final class ContextHashBenchmark {
    private ContextHashBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int totalMb = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path root = Files.createTempDirectory("launchkit-context-bench");
        try {
            long bytes = createTree(root, totalMb * 1_000_000L, files);
            List<Path> paths;
            try (Stream<Path> s = Files.walk(root)) {
                paths = s.filter(Files::isRegularFile).sorted().toList();
            }
            ContextArchive archive = new ContextArchive();
            System.out.printf(Locale.ROOT, "context hashing benchmark: %d files, %.1f MB, %d rounds after 2 warm-ups, JDK %s%n",
                    paths.size(), bytes / 1e6, rounds, System.getProperty("java.version"));

            double walk = measure(rounds, () -> ContextTree.builder().addDirectory("", root).build());
            double plain = measure(rounds, () -> plainSha256(paths));
            double context = measure(rounds, () -> archive.digest(ContextTree.builder().addDirectory("", root).build()));
            Path out = Files.createTempFile("launchkit-context-bench", ".tgz");
            double tgz = measure(Math.max(1, rounds / 2), () -> archive.writeTarGz(
                    ContextTree.builder().addDirectory("", root).build(), out));
            long tgzSize = Files.size(out);
            Files.delete(out);

            System.out.printf(Locale.ROOT, "%-52s %10s %10s%n", "operation", "ms", "MB/s");
            row("tree walk only (stat every entry, sort)", walk, bytes);
            row("plain sha256 of the file bytes", plain, bytes);
            row("context digest (walk + tar stream + sha256)", context, bytes);
            row("context tar.gz written + digest (gzip level 1)", tgz, bytes);
            System.out.printf(Locale.ROOT, "context digest / plain sha256 throughput: %.2f; tar.gz size %.1f MB%n",
                    plain / context, tgzSize / 1e6);
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private interface Work {
        Object run() throws Exception;
    }

    /** Median milliseconds of {@code rounds} runs after two warm-up runs. */
    private static double measure(int rounds, Work work) throws Exception {
        for (int i = 0; i < 2; i++) {
            work.run();
        }
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[rounds / 2];
    }

    private static void row(String what, double ms, long bytes) {
        System.out.printf(Locale.ROOT, "%-52s %10.1f %10.1f%n", what, ms, bytes / 1e6 / (ms / 1000));
    }

    private static String plainSha256(List<Path> paths) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (Path p : paths) {
            try (InputStream in = Files.newInputStream(p)) {
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    /**
     * 100 directories of files whose sizes vary around the mean, filled with source-like text (random identifiers
     * and keywords, which compresses about as well as real code).
     */
    private static long createTree(Path root, long totalBytes, int files) throws IOException {
        Random random = new Random(42);
        String[] words = {"def", "return", "self", "import", "class", "for", "in", "if", "else", "np", "torch",
                "model", "loss", "optimizer", "batch", "=", "(", ")", ":", "+", "0.001", "range", "len", "print"};
        StringBuilder text = new StringBuilder();
        while (text.length() < 4 * 1024 * 1024) {
            for (int w = 0; w < 8; w++) {
                text.append(random.nextInt(4) == 0 ? "v" + random.nextInt(5000) : words[random.nextInt(words.length)])
                        .append(' ');
            }
            text.append('\n');
        }
        byte[] corpus = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long mean = totalBytes / files;
        long written = 0;
        for (int i = 0; i < files; i++) {
            Path dir = root.resolve(String.format(Locale.ROOT, "pkg%03d", i % 100));
            Files.createDirectories(dir);
            long left = totalBytes - written;
            int size = (int) (i == files - 1 ? left : Math.min(left, mean / 2 + random.nextInt((int) mean + 1)));
            int offset = random.nextInt(corpus.length - size);
            try (OutputStream out = Files.newOutputStream(dir.resolve(String.format(Locale.ROOT, "file%05d.py", i)))) {
                out.write(corpus, offset, size);
            }
            written += size;
        }
        return written;
    }
}
