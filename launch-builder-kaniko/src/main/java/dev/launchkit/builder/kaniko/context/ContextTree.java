package dev.launchkit.builder.kaniko.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
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

    private static int compareSegments(String a, String b) {
        String[] sa = a.split("/", -1);
        String[] sb = b.split("/", -1);
        for (int i = 0; i < Math.min(sa.length, sb.length); i++) {
            int c = compareUtf8(sa[i], sb[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(sa.length, sb.length);
    }

    /** Byte order of the UTF-8 encoding, so the order does not depend on the JVM's locale or collation. */
    private static int compareUtf8(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
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
                if (Files.isSymbolicLink(child)) {
                    try {
                        entries.put(path, new ContextEntry.Symlink(Files.readSymbolicLink(child).toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the symbolic link " + child + ": " + e.getMessage(), e);
                    }
                } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(path, new ContextEntry.Directory());
                    walk(child, path);
                } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(path, new ContextEntry.File(child, isExecutable(child)));
                }
                // Sockets, pipes and devices have no place in an image build context and are skipped.
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
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view == null) {
                return Files.isExecutable(file);
            }
            try {
                Set<PosixFilePermission> perms = view.readAttributes().permissions();
                return perms.contains(PosixFilePermission.OWNER_EXECUTE)
                        || perms.contains(PosixFilePermission.GROUP_EXECUTE)
                        || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the permissions of " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "ContextTree[" + entries.size() + " entries]";
    }
}
