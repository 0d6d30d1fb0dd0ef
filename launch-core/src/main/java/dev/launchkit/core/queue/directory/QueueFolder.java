package dev.launchkit.core.queue.directory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.LocatedTree;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The on-disk layout of one directory queue, {@code <root>/<queue>/} with {@code queue.yaml} and the folders
 * {@code pending/ running/ done/ failed/}, and the file operations both the queue and its admin need. Holds only
 * caches keyed by file modification time, so several instances (in one or many processes) can work on one folder.
 */
final class QueueFolder {
    static final String DEFINITION_FILE = "queue.yaml";
    static final String RESULT_SUFFIX = ".result.json";
    /** A file written less than this long ago may still be being written; a parse error is retried until then. */
    static final long SETTLE_MILLIS = 500;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final YAMLMapper YAML = new YAMLMapper();

    final String name;
    final Path dir;
    final Path pending;
    final Path running;
    final Path done;
    final Path failed;
    final Path definitionFile;
    private final LocatedTree parser = new LocatedTree();
    private final RandomGenerator random;
    private final Map<String, Peek> peeks = new ConcurrentHashMap<>();
    private volatile CachedDefinition cachedDefinition;

    /** A pending file's modification time, size and the priority read from it. */
    private record Peek(FileTime mtime, long size, Priority priority) {
    }

    private record CachedDefinition(FileTime mtime, QueueDefinition definition) {
    }

    /** A pending file in pop order: priority rank, then modification time, then name. */
    record Candidate(String fileName, int rank, FileTime mtime, Priority priority) {
        static final Comparator<Candidate> ORDER = Comparator.comparingInt(Candidate::rank)
                .thenComparing(Candidate::mtime).thenComparing(Candidate::fileName);
    }

    QueueFolder(Path root, String name, RandomGenerator random) {
        QueueDefinition.bare(name); // validates the name, so it cannot escape the root
        this.name = name;
        this.dir = root.resolve(name);
        this.pending = dir.resolve("pending");
        this.running = dir.resolve("running");
        this.done = dir.resolve("done");
        this.failed = dir.resolve("failed");
        this.definitionFile = dir.resolve(DEFINITION_FILE);
        this.random = random;
    }

    boolean exists() {
        return Files.isDirectory(dir);
    }

    void createFolders() {
        try {
            for (Path p : List.of(pending, running, done, failed)) {
                Files.createDirectories(p);
            }
        } catch (IOException e) {
            throw new QueueException("cannot create the folders of queue '" + name + "' under " + dir + ": " + e, e);
        }
    }

    /**
     * The queue's definition: {@code queue.yaml} when present (re-read when it changes), else a bare definition.
     *
     * @throws ConfigException naming the file, line and key when {@code queue.yaml} is wrong
     */
    QueueDefinition definition() {
        FileTime mtime;
        try {
            mtime = Files.getLastModifiedTime(definitionFile);
        } catch (NoSuchFileException e) {
            return QueueDefinition.bare(name);
        } catch (IOException e) {
            throw new QueueException("cannot read " + definitionFile + ": " + e, e);
        }
        CachedDefinition c = cachedDefinition;
        if (c != null && c.mtime().equals(mtime)) {
            return c.definition();
        }
        String text = read(definitionFile, name + "/" + DEFINITION_FILE);
        ConfigNode node = parser.parse(text.isBlank() ? "{}" : text, name + "/" + DEFINITION_FILE,
                LocatedTree.Format.YAML);
        QueueDefinition d = QueueDefinition.parse(node, name);
        cachedDefinition = new CachedDefinition(mtime, d);
        return d;
    }

    void writeDefinition(QueueDefinition d) {
        try {
            String yaml = "# Queue definition written by LaunchKit; edit freely (see QueueDefinition for the keys).\n"
                    + YAML.writeValueAsString(d.toJson());
            atomicWrite(dir, DEFINITION_FILE, yaml);
        } catch (JsonProcessingException e) {
            throw new QueueException("cannot write the definition of queue '" + name + "': " + e, e);
        }
    }

    /** Whether a file name is an item (not a result, not hidden, not a file still being written). */
    static boolean isItemName(String n) {
        return !n.startsWith(".") && !n.endsWith(RESULT_SUFFIX) && !n.endsWith(".tmp") && !n.endsWith(".part")
                && !n.endsWith("~") && !n.endsWith(".swp");
    }

    /** The pending items in pop order. */
    List<Candidate> listPending(PrioritizationMode mode) {
        List<Candidate> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pending)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!isItemName(n)) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue; // taken by someone else while listing
                }
                if (!a.isRegularFile()) {
                    continue;
                }
                seen.add(n);
                Priority priority = mode == PrioritizationMode.V0 ? peekPriority(p, n, a) : Priority.MEDIUM;
                int rank = mode == PrioritizationMode.V0 ? priority.wandbValue() : 0;
                out.add(new Candidate(n, rank, a.lastModifiedTime(), priority));
            }
        } catch (NoSuchFileException e) {
            throw new QueueException("the pending folder of queue '" + name + "' (" + pending + ") is gone; "
                    + "was the queue deleted?", e);
        } catch (IOException e) {
            throw new QueueException("cannot list " + pending + ": " + e, e);
        }
        peeks.keySet().retainAll(seen);
        out.sort(Candidate.ORDER);
        return out;
    }

    /** The envelope's priority, read once per file version; medium for plain specs and unreadable files. */
    private Priority peekPriority(Path p, String n, BasicFileAttributes a) {
        Peek cached = peeks.get(n);
        if (cached != null && cached.mtime().equals(a.lastModifiedTime()) && cached.size() == a.size()) {
            return cached.priority();
        }
        Priority priority = Priority.MEDIUM;
        try {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            ConfigNode root = parser.parse(text, n, LocatedTree.Format.forFileName(n));
            if (root.has("spec") && root.child("priority").json().isValueNode()) {
                priority = Priority.parse(root.child("priority").json().asText());
            }
        } catch (IOException | RuntimeException e) {
            // Malformed or half-written: it pops at medium priority and fails (or parses) then.
        }
        peeks.put(n, new Peek(a.lastModifiedTime(), a.size(), priority));
        return priority;
    }

    /**
     * Reads and parses an item file. A file modified in the last {@link #SETTLE_MILLIS} that does not parse may still
     * be being written by whoever dropped it, so the parse is retried until it is older than that.
     *
     * @throws ConfigException naming the file, line and problem
     */
    ItemContent load(Path file, String fileName) {
        String source = name + "/" + fileName;
        LocatedTree.Format format = formatOf(fileName, source);
        while (true) {
            String text = read(file, source);
            try {
                return ItemContent.from(parser.parse(text, source, format));
            } catch (ConfigException e) {
                if (!isFresh(file) || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                pause();
            }
        }
    }

    private static LocatedTree.Format formatOf(String fileName, String source) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".json") && !lower.endsWith(".yaml") && !lower.endsWith(".yml")) {
            throw new ConfigException(source + ": not a queue item: name item files *.json, *.yaml or *.yml "
                    + "(files starting with '.' or ending in .tmp or .part are left alone while they are written)");
        }
        return LocatedTree.Format.forFileName(fileName);
    }

    private static boolean isFresh(Path file) {
        try {
            long age = System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
            return age < SETTLE_MILLIS;
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            // Finish this item (one more parse attempt) and leave the interrupt for the caller's next wait.
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file, String source) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new ConfigException(source + ": the file is not UTF-8 text; save it as UTF-8");
        } catch (NoSuchFileException e) {
            throw new QueueException(source + " disappeared while being read", e);
        } catch (IOException e) {
            throw new QueueException("cannot read " + source + ": " + e, e);
        }
    }

    /** Whether an item of this name exists beyond pending/ (so a new pending file of that name must be renamed). */
    boolean nameTaken(String fileName) {
        return Files.exists(running.resolve(fileName)) || Files.exists(done.resolve(fileName))
                || Files.exists(failed.resolve(fileName));
    }

    /** {@code train.json} → {@code train-x7k2q9.json}. */
    String uniqueName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        String ext = dot > 0 ? fileName.substring(dot) : "";
        StringBuilder sb = new StringBuilder(stem).append('-');
        for (int i = 0; i < 6; i++) {
            sb.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
        }
        return sb.append(ext).toString();
    }

    /**
     * Renames atomically.
     *
     * @throws NoSuchFileException when the source is gone (another agent moved it first)
     */
    static void move(Path from, Path to) throws NoSuchFileException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (AtomicMoveNotSupportedException e) {
            throw new QueueException("cannot move " + from + " to " + to + " atomically; keep the whole queue "
                    + "folder on one file system", e);
        } catch (IOException e) {
            throw new QueueException("cannot move " + from + " to " + to + ": " + e, e);
        }
    }

    /** Writes a file whole or not at all: a hidden temporary file in the same folder, then an atomic rename. */
    void atomicWrite(Path folder, String fileName, String content) {
        Path tmp = folder.resolve("." + fileName + "." + Long.toHexString(random.nextLong()) + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, folder.resolve(fileName), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write already failed; report that
            }
            throw new QueueException("cannot write " + folder.resolve(fileName) + ": " + e, e);
        }
    }

    void writeJson(Path folder, String fileName, JsonNode json) {
        try {
            atomicWrite(folder, fileName, JSON.writeValueAsString(json) + "\n");
        } catch (JsonProcessingException e) {
            throw new QueueException("cannot write " + fileName + ": " + e, e);
        }
    }

    void writeResult(Path folder, ItemResult result) {
        writeJson(folder, result.itemId() + RESULT_SUFFIX, result.toJson());
    }

    /** The result file of an item in one folder, if there is one. */
    Optional<ItemResult> readResult(Path folder, String itemId) {
        Path f = folder.resolve(itemId + RESULT_SUFFIX);
        try {
            return Optional.of(ItemResult.fromJson(JSON.readTree(Files.readString(f, StandardCharsets.UTF_8))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new QueueException("cannot read result file " + f + ": " + e, e);
        }
    }

    /** The modification time of a file as an instant, or now when it is gone. */
    static Instant mtime(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    /** Names of the items in a folder (results and temporary files left out). */
    static List<String> items(Path folder) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (isItemName(n)) {
                    out.add(n);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new QueueException("cannot list " + folder + ": " + e, e);
        }
        out.sort(null);
        return out;
    }

    /**
     * Puts result files left in running/ by an agent that crashed between moving an item and its result next to the
     * item again.
     */
    void tidy() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(running, "*" + RESULT_SUFFIX)) {
            for (Path r : ds) {
                String n = r.getFileName().toString();
                String item = n.substring(0, n.length() - RESULT_SUFFIX.length());
                if (Files.exists(running.resolve(item))) {
                    continue;
                }
                for (Path folder : List.of(done, failed)) {
                    if (Files.exists(folder.resolve(item))) {
                        try {
                            move(r, folder.resolve(n));
                        } catch (NoSuchFileException e) {
                            // another instance tidied it
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new QueueException("cannot list " + running + ": " + e, e);
        }
    }
}
