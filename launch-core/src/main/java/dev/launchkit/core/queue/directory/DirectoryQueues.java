package dev.launchkit.core.queue.directory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.queue.InvalidItemException;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.MergedSpec;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueAdmin;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import dev.launchkit.core.queue.SpecValidator;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The directory queues under one root folder, each {@code <root>/<queue>/} (see {@link DirectoryQueue} for the
 * layout and file formats): opens them for agents and administers them ({@link QueueAdmin}).
 *
 * <pre>{@code
 * DirectoryQueues queues = new DirectoryQueues(Path.of("/srv/launch"));
 * queues.upsert(QueueDefinition.of("local", "local-process", JsonNodeFactory.instance.objectNode()));
 * queues.push("local", spec, Priority.HIGH, Map.of());   // writes /srv/launch/local/pending/<id>.json
 * try (DirectoryQueue q = queues.open("local")) { q.poll(Duration.ofSeconds(1)); }
 * }</pre>
 *
 * <p>{@link #push} merges the queue definition at push time and writes an envelope
 * {@code {"priority": ..., "spec": <merged spec>}} under a name that sorts by push time,
 * {@code 20261102T101500.123Z-000001-k3j9.json}. Thread-safe; several instances (and processes) may share a root.
 */
public final class DirectoryQueues implements QueueAdmin {
    /** How often a queue lists its folder when the file system reports no change. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(50);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path root;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong pushes = new AtomicLong();

    /** Queues under {@code root}, with the system clock. */
    public DirectoryQueues(Path root) {
        this(root, Clock.systemUTC());
    }

    /** Queues under {@code root}; item timestamps come from {@code clock}. */
    public DirectoryQueues(Path root, Clock clock) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The root folder. */
    public Path root() {
        return root;
    }

    /** Opens a queue (creating its folders when missing) with no agent entity and the default poll interval. */
    public DirectoryQueue open(String name) {
        return open(name, "", DEFAULT_POLL_INTERVAL);
    }

    /**
     * Opens a queue for polling, creating its folders when missing. Close it to stop watching the folder.
     *
     * @param agentEntity  the entity of jobs whose queue definition names none (the agent's {@code entity})
     * @param pollInterval how often to list the folder when no change was reported
     * @throws ConfigException naming the line when the queue's {@code queue.yaml} is wrong
     * @throws IllegalArgumentException when the name is not a valid queue name
     */
    public DirectoryQueue open(String name, String agentEntity, Duration pollInterval) {
        return open(name, agentEntity, pollInterval, new SecretMasker());
    }

    /**
     * Like {@link #open(String, String, Duration)}, with the agent's secrets: an item that fails to load is reported
     * (result file and log) with every registered secret masked, so a key pasted into a bad item is not repeated.
     */
    public DirectoryQueue open(String name, String agentEntity, Duration pollInterval, SecretMasker masker) {
        return new DirectoryQueue(root, name, agentEntity, clock, pollInterval, masker);
    }

    private QueueFolder folder(String name) {
        return new QueueFolder(root, name, random);
    }

    @Override
    public QueueDefinition create(QueueDefinition definition) {
        QueueFolder f = folder(definition.name());
        try {
            Files.createDirectories(root);
            Files.createDirectory(f.dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("queue '" + definition.name() + "' already exists (" + f.dir
                    + "); use upsert to replace its definition");
        } catch (IOException e) {
            throw new QueueException("cannot create " + f.dir + ": " + e, e);
        }
        f.createFolders();
        f.writeDefinition(definition);
        return definition;
    }

    @Override
    public QueueDefinition update(QueueDefinition definition) {
        QueueFolder f = folder(definition.name());
        if (!f.exists()) {
            throw unknown(definition.name());
        }
        f.createFolders();
        f.writeDefinition(definition);
        return definition;
    }

    @Override
    public QueueDefinition upsert(QueueDefinition definition) {
        QueueFolder f = folder(definition.name());
        f.createFolders();
        f.writeDefinition(definition);
        return definition;
    }

    /**
     * {@inheritDoc}
     *
     * @throws ConfigException naming the line when the queue's {@code queue.yaml} is wrong
     */
    @Override
    public Optional<QueueDefinition> get(String name) {
        QueueFolder f = folder(name);
        return f.exists() ? Optional.of(f.definition()) : Optional.empty();
    }

    /** Every sub-folder of the root that has a {@code pending/} folder or a {@code queue.yaml}. */
    @Override
    public List<QueueDefinition> list() {
        List<QueueDefinition> out = new ArrayList<>();
        for (String name : queueNames()) {
            out.add(folder(name).definition());
        }
        return out;
    }

    private List<String> queueNames() {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                boolean isQueue = Files.isDirectory(p.resolve("pending"))
                        || Files.isRegularFile(p.resolve(QueueFolder.DEFINITION_FILE));
                if (isQueue && n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
                    names.add(n);
                }
            }
        } catch (IOException e) {
            throw new QueueException("cannot list " + root + ": " + e, e);
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    @Override
    public boolean delete(String name) {
        QueueFolder f = folder(name);
        if (!f.exists()) {
            return false;
        }
        List<String> running = QueueFolder.items(f.running);
        if (!running.isEmpty()) {
            throw new IllegalStateException("queue '" + name + "' has " + running.size() + " running item(s) ("
                    + String.join(", ", running.subList(0, Math.min(5, running.size()))) + "); delete it once they "
                    + "have ended");
        }
        try (Stream<Path> walk = Files.walk(f.dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new QueueException("cannot delete " + f.dir + ": " + e, e);
        }
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The item is written as {@code pending/<id>} with the merged spec, so later changes to {@code queue.yaml} do
     * not change it.
     */
    @Override
    public String push(String queue, LaunchSpec spec, Priority priority, Map<String, Object> templateValues) {
        QueueFolder f = folder(queue);
        if (!f.exists()) {
            throw unknown(queue);
        }
        SpecValidator.validate(spec);
        QueueDefinition def;
        try {
            def = f.definition();
        } catch (ConfigException e) {
            throw new QueueException("queue '" + queue + "' cannot take items until its definition is fixed: "
                    + e.getMessage(), e);
        }
        if (def.prioritization() == PrioritizationMode.DISABLED && priority != Priority.MEDIUM) {
            throw new InvalidItemException("queue '" + queue + "' has prioritization disabled; push at medium "
                    + "priority, or enable it (prioritization_mode: V0 in queue.yaml)");
        }
        MergedSpec merged = def.merge(spec, templateValues);
        String id = STAMP.format(clock.instant()) + "-" + String.format("%06d", pushes.incrementAndGet()) + "-"
                + f.uniqueName("x").substring(2, 6) + ".json";
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("priority", priority.wireName());
        envelope.set("spec", merged.spec().toJson());
        f.createFolders();
        f.writeJson(f.pending, id, envelope);
        return id;
    }

    /** {@inheritDoc} Files that cannot be read are left out (they fail when popped). */
    @Override
    public List<QueueItem> pending(String queue) {
        QueueFolder f = folder(queue);
        if (!f.exists()) {
            throw unknown(queue);
        }
        QueueDefinition def = f.definition();
        List<QueueItem> out = new ArrayList<>();
        for (QueueFolder.Candidate c : f.listPending(def.prioritization())) {
            Path file = f.pending.resolve(c.fileName());
            try {
                ItemContent content = f.load(file, c.fileName());
                MergedSpec merged = def.merge(LaunchSpec.of(content.specJson()), content.values());
                out.add(new QueueItem(c.fileName(), queue, merged.spec(), content.priority(), c.mtime().toInstant()));
            } catch (ConfigException | IllegalArgumentException | QueueException e) {
                // a malformed or vanished file: not listed; polling fails it with the reason
            }
        }
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A pending item has state {@code PENDING}; a running or ended one has the content of its result file.
     */
    @Override
    public Optional<ItemResult> status(String queue, String itemId) {
        QueueFolder f = folder(queue);
        return f.exists() ? status(f, itemId) : Optional.empty();
    }

    static Optional<ItemResult> status(QueueFolder f, String itemId) {
        if (!QueueFolder.isItemName(itemId) || itemId.contains("/") || itemId.contains("\\")) {
            return Optional.empty();
        }
        for (Path dir : List.of(f.done, f.failed, f.running)) {
            Optional<ItemResult> r = f.readResult(dir, itemId);
            if (r.isPresent()) {
                return r;
            }
        }
        Path pendingFile = f.pending.resolve(itemId);
        if (Files.isRegularFile(pendingFile)) {
            Priority p;
            try {
                p = f.load(pendingFile, itemId).priority();
            } catch (RuntimeException e) {
                p = Priority.MEDIUM;
            }
            return Optional.of(ItemResult.pending(itemId, f.name, p, QueueFolder.mtime(pendingFile)));
        }
        Path runningFile = f.running.resolve(itemId);
        if (Files.isRegularFile(runningFile)) {
            return Optional.of(ItemResult.pending(itemId, f.name, Priority.MEDIUM, QueueFolder.mtime(runningFile))
                    .taken(QueueFolder.mtime(runningFile)));
        }
        return Optional.empty();
    }

    private IllegalArgumentException unknown(String name) {
        List<String> names = queueNames();
        return new IllegalArgumentException("there is no queue named '" + name + "' under " + root
                + "; create it first" + (names.isEmpty() ? "" : " (queues: " + String.join(", ", names) + ")"));
    }
}
