package dev.launchkit.builder.kaniko.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextArchiveTest {
    private final ContextArchive archive = new ContextArchive();

    @TempDir
    Path tmp;

    @Test
    void sameSourceTreeGivesTheSameTagAndTheSameBytesTwice() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        Path b = sampleTree(tmp.resolve("b"));
        // The second copy differs in everything an archive usually records: times and group/other permissions.
        try (var files = Files.walk(b)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2031-05-06T07:08:09Z")));
            }
        }
        Files.setPosixFilePermissions(b.resolve("train.py"), PosixFilePermissions.fromString("rw-------"));

        byte[] first = tarGz(a);
        byte[] second = tarGz(b);
        byte[] again = tarGz(a);

        assertThat(second).isEqualTo(first);
        assertThat(again).isEqualTo(first);
        assertThat(ContextArchive.tag(archive.digest(tree(a)))).isEqualTo(ContextArchive.tag(archive.digest(tree(b))))
                .hasSize(ContextArchive.TAG_LENGTH).matches("[0-9a-f]+");
    }

    @Test
    void oneByteChangeGivesAnotherTag() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        String before = ContextArchive.tag(archive.digest(tree(a)));
        byte[] content = Files.readAllBytes(a.resolve("pkg/model.py"));
        content[3] ^= 1;
        Files.write(a.resolve("pkg/model.py"), content);

        assertThat(ContextArchive.tag(archive.digest(tree(a)))).isNotEqualTo(before);
    }

    @Test
    void executableBitAndFileNameChangesGiveAnotherTag() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        String before = archive.digest(tree(a));
        Files.setPosixFilePermissions(a.resolve("train.py"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String executable = archive.digest(tree(a));
        Files.move(a.resolve("pkg/model.py"), a.resolve("pkg/model2.py"));

        assertThat(executable).isNotEqualTo(before);
        assertThat(archive.digest(tree(a))).isNotIn(before, executable);
    }

    @Test
    void digestWithoutWritingEqualsTheDigestReturnedWhileWriting() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        String written = archive.writeTarGz(tree(a), tmp.resolve("ctx.tgz"));

        assertThat(written).isEqualTo(archive.digest(tree(a))).hasSize(64);
    }

    @Test
    void entriesAreSortedParentFirstWithFixedOwnerTimeAndModes() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        Files.setPosixFilePermissions(a.resolve("run.sh"), PosixFilePermissions.fromString("rwx------"));

        Map<String, TarArchiveEntry> entries = read(tarGz(a));

        assertThat(entries.keySet()).containsExactly("a-b/", "a-b/x.txt", "pkg/", "pkg/__init__.py", "pkg/model.py",
                "requirements.txt", "run.sh", "train.py");
        for (TarArchiveEntry e : entries.values()) {
            assertThat(e.getLongUserId()).isZero();
            assertThat(e.getLongGroupId()).isZero();
            assertThat(e.getUserName()).isEmpty();
            assertThat(e.getGroupName()).isEmpty();
            assertThat(e.getModTime().toInstant()).isEqualTo(ContextArchive.MTIME);
        }
        assertThat(entries.get("pkg/").getMode()).isEqualTo(040755);
        assertThat(entries.get("train.py").getMode()).isEqualTo(0100644);
        assertThat(entries.get("run.sh").getMode()).isEqualTo(0100755);
    }

    @Test
    void gitMetadataIsLeftOutAndSymlinksStayLinks() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        Files.createDirectories(a.resolve(".git/objects"));
        Files.writeString(a.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(tmp.resolve("outside-secret.txt"), "do not ship me");
        Files.createSymbolicLink(a.resolve("link.txt"), tmp.resolve("outside-secret.txt"));

        Map<String, TarArchiveEntry> entries = read(tarGz(a));

        assertThat(entries.keySet()).noneMatch(n -> n.startsWith(".git"));
        assertThat(entries.get("link.txt").isSymbolicLink()).isTrue();
        assertThat(entries.get("link.txt").getLinkName()).isEqualTo(tmp.resolve("outside-secret.txt").toString());
        assertThat(new String(tarGz(a), StandardCharsets.ISO_8859_1)).doesNotContain("do not ship me");
    }

    @Test
    void longAndNonAsciiNamesRoundTripThroughPaxRecordsWithoutTheJvmUserName() throws IOException {
        Path a = tmp.resolve("a");
        String deep = "very/".repeat(30) + "deep.py";
        Files.createDirectories(a.resolve(deep).getParent());
        Files.writeString(a.resolve(deep), "print('deep')\n");
        Files.writeString(a.resolve("données-é.txt"), "accents\n");

        byte[] bytes = tarGz(a);
        Map<String, TarArchiveEntry> entries = read(bytes);

        assertThat(entries).containsKeys(deep, "données-é.txt");
        assertThat(entries.get(deep).getSize()).isEqualTo(14);
        String raw = new String(gunzip(bytes), StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain(System.getProperty("user.name") + "\0");
    }

    @Test
    void gzipHeaderCarriesNoTimeAndNoFileName() throws IOException {
        byte[] bytes = tarGz(sampleTree(tmp.resolve("a")));

        assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
        assertThat(bytes[1] & 0xff).isEqualTo(0x8b);
        assertThat(bytes[3]).as("FLG: no name, comment or extra field").isZero();
        assertThat(new byte[] {bytes[4], bytes[5], bytes[6], bytes[7]}).as("MTIME").containsOnly(0);
        assertThat(bytes[9] & 0xff).as("OS unknown").isEqualTo(255);
    }

    @Test
    void generatedFilesReplaceFilesOfTheSameName() throws IOException {
        Path a = sampleTree(tmp.resolve("a"));
        Files.writeString(a.resolve("Dockerfile.wandb"), "FROM scratch\n");
        ContextTree tree = ContextTree.builder().addDirectory("", a).addGenerated("Dockerfile.wandb", "FROM busybox\n")
                .build();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archive.writeTarGz(tree, out);
        assertThat(contents(out.toByteArray()).get("Dockerfile.wandb")).isEqualTo("FROM busybox\n");
    }

    static Path sampleTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("pkg"));
        Files.createDirectories(root.resolve("a-b"));
        Files.writeString(root.resolve("train.py"), "import pkg.model\nprint('train')\n");
        Files.writeString(root.resolve("pkg/__init__.py"), "");
        Files.writeString(root.resolve("pkg/model.py"), "class Model:\n    pass\n");
        Files.writeString(root.resolve("a-b/x.txt"), "x\n");
        Files.writeString(root.resolve("requirements.txt"), "wandb\nnumpy==2.1.0\n");
        Files.writeString(root.resolve("run.sh"), "#!/bin/sh\npython train.py\n");
        return root;
    }

    private static ContextTree tree(Path dir) {
        return ContextTree.builder().addDirectory("", dir).build();
    }

    private byte[] tarGz(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archive.writeTarGz(tree(dir), out);
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GzipCompressorInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static Map<String, TarArchiveEntry> read(byte[] tgz) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    static Map<String, String> contents(byte[] tgz) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    out.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    static List<String> names(byte[] tgz) throws IOException {
        return new ArrayList<>(read(tgz).keySet());
    }
}
