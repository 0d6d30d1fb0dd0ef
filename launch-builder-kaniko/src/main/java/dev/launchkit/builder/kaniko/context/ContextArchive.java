package dev.launchkit.builder.kaniko.context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes a {@link ContextTree} as a reproducible tar (or tar.gz) and computes its content digest on the way.
 *
 * <p>Everything that usually varies between two copies of the same files is fixed: entries in
 * {@link ContextTree#ORDER}, modification time {@link #MTIME}, owner and group 0 without names, mode 0644 or 0755
 * (only the execute bit of the source survives), no access or change times, and a gzip header without time or file
 * name. The digest is the SHA-256 of the uncompressed tar stream, so it does not depend on the compressor either.
 * Files are streamed; nothing is held in memory beyond a copy buffer.
 *
 * <p>Stateless and thread-safe.
 */
public final class ContextArchive {
    /** The modification time of every entry: 1980-01-01, the earliest time a zip can hold, as reproducible builds use. */
    public static final Instant MTIME = Instant.parse("1980-01-01T00:00:00Z");
    /**
     * Fixed so that the compressed bytes are the same on every run. Level 1: on source code it deflates about six
     * times faster than level 6 for archives about a fifth larger (see the -Pbench benchmark), and the archive is
     * only carried to the Kaniko pod, over the cluster's network.
     */
    private static final int GZIP_LEVEL = 1;
    private static final int NAME_FIELD = TarConstants.NAMELEN;
    private static final int FILE_MODE = 0100644;
    private static final int EXEC_MODE = 0100755;
    private static final int DIR_MODE = 040755;
    private static final int LINK_MODE = 0120777;
    private static final int COPY_BUFFER = 64 * 1024;

    /** Hex digits of the digest used as image tag: 128 bits, where W&B's 8 digits (32 bits) can collide. */
    public static final int TAG_LENGTH = 32;

    /**
     * The image tag for a context digest: its first {@value #TAG_LENGTH} hex digits. The Dockerfile is part of the
     * context, so the tag covers it too.
     */
    public static String tag(String digest) {
        if (digest.length() < TAG_LENGTH || !digest.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("not a hex SHA-256 digest: " + digest);
        }
        return digest.substring(0, TAG_LENGTH);
    }

    /**
     * The SHA-256 of the tar stream of {@code tree}, hex-encoded, without compressing or storing anything.
     *
     * @throws UncheckedIOException when a file cannot be read
     */
    public String digest(ContextTree tree) {
        MessageDigest sha = sha256();
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            writeTar(tree, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash the build context: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Writes {@code tree} as tar.gz to {@code target} and returns the digest of the (uncompressed) tar stream, the same
     * value {@link #digest} gives.
     *
     * @throws UncheckedIOException when a file cannot be read or the target written
     */
    public String writeTarGz(ContextTree tree, Path target) {
        try (OutputStream file = Files.newOutputStream(target, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            return writeTarGz(tree, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code tree} as tar.gz to {@code out} (left open) and returns the tar stream's digest. */
    public String writeTarGz(ContextTree tree, OutputStream out) throws IOException {
        GzipParameters params = new GzipParameters();
        params.setCompressionLevel(GZIP_LEVEL);
        params.setModificationTime(0);
        params.setOS(GzipParameters.OS.UNKNOWN);
        params.setBufferSize(COPY_BUFFER);
        MessageDigest sha = sha256();
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(new NonClosing(out), params);
        try (OutputStream digesting = new DigestOutputStream(gz, sha)) {
            writeTar(tree, digesting);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private void writeTar(ContextTree tree, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out), StandardCharsets.UTF_8.name());
        // Sizes of 8 GiB and more go into the header in binary (star/GNU base-256), which needs no extra entry.
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
        // Long or non-ASCII names get PAX records that this class writes itself (see pax()).
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_ERROR);
        byte[] buffer = new byte[COPY_BUFFER];
        for (Map.Entry<String, ContextEntry> e : tree.entries().entrySet()) {
            String path = e.getKey();
            ContextEntry entry = e.getValue();
            if (entry instanceof ContextEntry.Directory) {
                put(tar, path + "/", DIR_MODE, TarConstants.LF_DIR, 0, "");
            } else if (entry instanceof ContextEntry.Symlink s) {
                put(tar, path, LINK_MODE, TarConstants.LF_SYMLINK, 0, s.target());
            } else if (entry instanceof ContextEntry.Generated g) {
                put(tar, path, g.executable() ? EXEC_MODE : FILE_MODE, TarConstants.LF_NORMAL, g.size(), "");
                tar.write(g.content());
                tar.closeArchiveEntry();
            } else if (entry instanceof ContextEntry.File f) {
                try (FileChannel ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
                    long size = ch.size();
                    put(tar, path, f.executable() ? EXEC_MODE : FILE_MODE, TarConstants.LF_NORMAL, size, "");
                    copyExactly(Channels.newInputStream(ch), tar, size, buffer, f.file());
                }
                tar.closeArchiveEntry();
            }
        }
        tar.finish();
        tar.close();
    }

    private static void put(TarArchiveOutputStream tar, String name, int mode, byte type, long size, String link)
            throws IOException {
        boolean longName = needsPax(name);
        boolean longLink = !link.isEmpty() && needsPax(link);
        if (longName || longLink) {
            StringBuilder records = new StringBuilder();
            if (longName) {
                records.append(paxRecord("path", name));
            }
            if (longLink) {
                records.append(paxRecord("linkpath", link));
            }
            byte[] body = records.toString().getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry pax = entry(paxName(name), TarConstants.LF_PAX_EXTENDED_HEADER_LC, 0100644);
            pax.setSize(body.length);
            tar.putArchiveEntry(pax);
            tar.write(body);
            tar.closeArchiveEntry();
        }
        TarArchiveEntry entry = entry(longName ? truncate(name) : name, type, mode);
        if (!link.isEmpty()) {
            entry.setLinkName(longLink ? truncate(link) : link);
        }
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        if (type != TarConstants.LF_NORMAL) {
            tar.closeArchiveEntry();
        }
    }

    /** An entry with every field that commons-compress would take from the JVM (user name, time) fixed. */
    private static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setMode(mode);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        entry.setModTime(MTIME.toEpochMilli());
        return entry;
    }

    private static boolean needsPax(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return bytes.length >= NAME_FIELD || bytes.length != value.length();
    }

    /** A PAX record {@code "<len> <key>=<value>\n"}, where len counts the whole record including its own digits. */
    static String paxRecord(String key, String value) {
        int body = 3 + key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
        int len = body + String.valueOf(body).length();
        if (String.valueOf(len).length() != String.valueOf(body).length()) {
            len++;
        }
        return len + " " + key + "=" + value + "\n";
    }

    private static String paxName(String name) {
        String base = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        base = base.substring(base.lastIndexOf('/') + 1);
        return truncate("PaxHeaders/" + stripTo7Bits(base));
    }

    private static String stripTo7Bits(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.chars().filter(c -> c < 0x80).forEach(c -> sb.append((char) c));
        return sb.toString();
    }

    /** The first bytes of the name that fit the ustar name field, cut on a character boundary. */
    private static String truncate(String name) {
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp >= 0x80) {
                cp = '_';
            }
            if (bytes + 1 > NAME_FIELD - 1) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes++;
            i += Character.charCount(name.codePointAt(i));
        }
        return sb.toString();
    }

    private static void copyExactly(InputStream in, OutputStream out, long size, byte[] buffer, Path file)
            throws IOException {
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException(file + " shrank while it was being archived; retry the build");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** Lets the tar and gzip streams finish without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
