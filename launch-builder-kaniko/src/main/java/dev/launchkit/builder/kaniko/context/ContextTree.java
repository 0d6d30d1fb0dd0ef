package dev.launchkit.builder.kaniko.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The files of a build context, keyed by their path in the archive ({@code src/train.py}), in a fixed order: path
 * segment by segment, so parents come before their children and siblings are sorted by name.
 *
 * <p>Immutable once built. Build one with {@link #builder()}.
 */
public final class ContextTree {
    /** Path-segment order: {@code a} before {@code a/b} before {@code a-b} (plain string order would mix them). */
    static final Comparator<String> ORDER = ContextTree::compareSegments;
    /** Names never copied from a source directory: git metadata differs between clones of the same commit. */
    private static final Set<String> EXCLUDED_NAMES = Set.of(".git");

    private final SortedMap<String, ContextEntry> entries;

    private ContextTree(SortedMap<String, ContextEntry> entries) {
        this.entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All entries in archive order. */
    public SortedMap<String, ContextEntry> entries() {
        return entries;
    }

    /** Whether the tree has an entry at {@code path}. */
    public boolean contains(String path) {
        return entries.containsKey(path);
    }

    /** Number of entries, directories included. */
    public int size() {
        return entries.size();
    }

    /**
     * Segment-wise order without splitting: code points compared in order (the same as UTF-8 byte order), with the
     * separator {@code /} below every other character so that a directory's entries follow it directly.
     */
    private static int compareSegments(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca == '/' ? -1 : ca, cb == '/' ? -1 : cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Collects entries; later additions replace earlier ones at the same path. */
    public static final class Builder {
        private final SortedMap<String, ContextEntry> entries = new TreeMap<>(ORDER);

        private Builder() {
        }

        /**
         * Adds every file, directory and symbolic link under {@code root} (without {@code .git}), under the archive
         * directory {@code prefix} ({@code ""} for the archive root).
         *
         * @throws UncheckedIOException when the directory cannot be read
         */
        public Builder addDirectory(String prefix, Path root) {
            String base = normalise(prefix);
            if (!base.isEmpty()) {
                addParents(base + "/x");
                entries.put(base, new ContextEntry.Directory());
            }
            walk(root, base);
            return this;
        }

        /** Adds a generated file at {@code path}, creating its parent directories. */
        public Builder addGenerated(String path, byte[] content, boolean executable) {
            String p = normalise(path);
            addParents(p);
            entries.put(p, new ContextEntry.Generated(content, executable));
            return this;
        }

        /** Adds a generated text file (UTF-8). */
        public Builder addGenerated(String path, String content) {
            return addGenerated(path, content.getBytes(StandardCharsets.UTF_8), false);
        }

        /** Adds one file from disk at {@code path}. */
        public Builder addFile(String path, Path file) {
            String p = normalise(path);
            addParents(p);
            entries.put(p, new ContextEntry.File(file, isExecutable(file)));
            return this;
        }

        public ContextTree build() {
            return new ContextTree(entries);
        }

        private void walk(Path dir, String prefix) {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(children::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the source directory " + dir + ": " + e.getMessage(), e);
            }
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (EXCLUDED_NAMES.contains(name)) {
                    continue;
                }
                String path = prefix.isEmpty() ? name : prefix + "/" + name;
                // One stat per entry: type and permissions together.
                BasicFileAttributes attrs = attributes(child);
                if (attrs.isSymbolicLink()) {
                    try {
                        entries.put(path, new ContextEntry.Symlink(Files.readSymbolicLink(child).toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the symbolic link " + child + ": " + e.getMessage(), e);
                    }
                } else if (attrs.isDirectory()) {
                    entries.put(path, new ContextEntry.Directory());
                    walk(child, path);
                } else if (attrs.isRegularFile()) {
                    entries.put(path, new ContextEntry.File(child, isExecutable(child, attrs)));
                }
                // Sockets, pipes and devices have no place in an image build context and are skipped.
            }
        }

        private static BasicFileAttributes attributes(Path p) {
            try {
                if (Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS) != null) {
                    return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                }
                return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
            }
        }

        private void addParents(String path) {
            int slash = path.indexOf('/');
            while (slash > 0) {
                entries.putIfAbsent(path.substring(0, slash), new ContextEntry.Directory());
                slash = path.indexOf('/', slash + 1);
            }
        }

        private static String normalise(String path) {
            String p = path.replace('\\', '/');
            while (p.startsWith("./")) {
                p = p.substring(2);
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.startsWith("/") || p.equals("..") || p.startsWith("../") || p.contains("/../") || p.endsWith("/..")) {
                throw new IllegalArgumentException("context path '" + path + "' must be relative and stay inside the context");
            }
            return p;
        }

        private static boolean isExecutable(Path file) {
            return isExecutable(file, attributes(file));
        }

        private static boolean isExecutable(Path file, BasicFileAttributes attrs) {
            if (attrs instanceof PosixFileAttributes posix) {
                Set<PosixFilePermission> perms = posix.permissions();
                return perms.contains(PosixFilePermission.OWNER_EXECUTE)
                        || perms.contains(PosixFilePermission.GROUP_EXECUTE)
                        || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
            }
            return Files.isExecutable(file);
        }
    }

    @Override
    public String toString() {
        return "ContextTree[" + entries.size() + " entries]";
    }
}
