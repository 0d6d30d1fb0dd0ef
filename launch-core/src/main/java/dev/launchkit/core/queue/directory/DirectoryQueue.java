package dev.launchkit.core.queue.directory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueException;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.core.queue.InvalidItemException;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.ItemWarning;
import dev.launchkit.core.queue.MergedSpec;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueJobs;
import dev.launchkit.core.queue.TemplateVariableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue that is a folder: {@code <root>/<queue>/} with {@code pending/}, {@code running/}, {@code done/},
 * {@code failed/} and an optional {@code queue.yaml} ({@link QueueDefinition}). Open one with
 * {@link DirectoryQueues#open}.
 *
 * <h2>Items</h2>
 * One launch spec per file in {@code pending/}, JSON ({@code *.json}) or YAML ({@code *.yaml}, {@code *.yml}):
 * either the spec itself ({@code {"docker": {"docker_image": "python:3.11"}, "entity": ..., "overrides": ...}}),
 * or an envelope {@code {"priority": "high", "template_variables": {"gpus": 2}, "spec": {...}}}. A spec's own
 * {@code template_variables} object is honoured too (as the W&B client does). Files whose names start with
 * {@code .} or end in {@code .tmp}, {@code .part}, {@code ~} are ignored, so write a file under such a name and
 * rename it when complete; a file that is still being written when picked up is re-read until it settles. The file
 * name is the item id; to submit the same file again give it a new name (a clash with an earlier item is resolved by
 * renaming the new file).
 *
 * <h2>Life of an item</h2>
 * <ul>
 *   <li>{@link #poll} renames {@code pending/x} to {@code running/x} atomically, so of several agents (threads or
 *       processes) on one folder exactly one takes each item. It then writes {@code running/x.result.json}.</li>
 *   <li>{@link #ack} and {@link #warn} update that result file (warnings are appended).</li>
 *   <li>{@link #complete} and {@link #fail} record the end and move the item and its result to {@code done/} or
 *       {@code failed/}.</li>
 *   <li>A file that cannot be read (broken JSON or YAML, tabs, wrong types, unknown template variables, no image) is
 *       moved to {@code failed/} with a result naming the file, line and problem; the queue goes on.</li>
 *   <li>An agent that dies leaves its items in {@code running/}: nothing is lost. {@link #recover} finds such an item
 *       for a run that survived; {@link #release} puts one back in {@code pending/}; {@link #releaseAbandoned} does
 *       that for every item whose taker is dead.</li>
 * </ul>
 *
 * <p>Order: by priority (unless {@code queue.yaml} disables it), then file modification time, then name. New files
 * are noticed through a {@link WatchService} (inotify on Linux) and, as a fallback for file systems that do not
 * report changes, by listing the folder every {@code pollInterval}.
 *
 * <h2>Who holds an item</h2>
 * Each open queue holds a lease: {@code .agents/<id>.lock} with an OS file lock, which the OS drops when the process
 * dies, however it dies. A taken item names its holder in {@code running/.<item>.owner}. So a restarted agent can
 * tell the items of a dead agent (lock free) from those of a live one on the same folder (lock held).
 *
 * <p>Thread-safe: {@code poll} is meant for one thread at a time; reports may come from any thread.
 */
public final class DirectoryQueue implements Queue {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryQueue.class);

    private final QueueFolder folder;
    private final SecretMasker masker;
    private final String agentEntity;
    private final Clock clock;
    private final Duration pollInterval;
    private final SecureRandom random = new SecureRandom();
    private final Object reportLock = new Object();
    private final Object pollLock = new Object();
    private final WatchService watcher;
    private final Path leases;
    private final String leaseId;
    private final FileChannel leaseChannel;
    private final FileLock lease;
    private List<QueueFolder.Candidate> snapshot = List.of();
    private int cursor;
    private long listedAt;
    private boolean stale = true;

    DirectoryQueue(Path root, String name, String agentEntity, Clock clock, Duration pollInterval,
                   SecretMasker masker) {
        this.masker = masker;
        this.folder = new QueueFolder(root, name, random);
        this.agentEntity = agentEntity == null ? "" : agentEntity;
        this.clock = clock;
        this.pollInterval = pollInterval.isNegative() || pollInterval.isZero() ? Duration.ofMillis(50) : pollInterval;
        folder.createFolders();
        folder.definition();
        folder.tidy();
        this.leases = folder.dir.resolve(".agents");
        this.leaseId = Long.toHexString(random.nextLong() & Long.MAX_VALUE);
        try {
            Files.createDirectories(leases);
            this.leaseChannel = FileChannel.open(leases.resolve(leaseId + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            this.lease = leaseChannel.lock();
        } catch (IOException e) {
            throw new QueueException("cannot take a lease on queue folder " + folder.dir + " (" + e
                    + "); the agent needs write access to it", e);
        }
        this.watcher = watch(folder.pending);
    }

    private static WatchService watch(Path dir) {
        try {
            WatchService ws = dir.getFileSystem().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            return ws;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("cannot watch {} ({}); new items are found by listing the folder instead", dir, e.toString());
            return null;
        }
    }

    @Override
    public String name() {
        return folder.name;
    }

    /** The queue folder, {@code <root>/<name>}. */
    public Path directory() {
        return folder.dir;
    }

    /**
     * The queue's definition ({@code queue.yaml}, re-read when it changes; bare when absent).
     *
     * @throws ConfigException naming the line when {@code queue.yaml} is wrong
     */
    public QueueDefinition definition() {
        return folder.definition();
    }

    @Override
    public Optional<Job> poll(Duration wait) throws InterruptedException {
        synchronized (pollLock) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                boolean changed = drainEvents();
                if (changed || stale || cursor >= snapshot.size()
                        || System.nanoTime() - listedAt > pollInterval.toNanos()) {
                    relist();
                }
                while (cursor < snapshot.size()) {
                    Optional<Job> job = claim(snapshot.get(cursor++));
                    if (job.isPresent()) {
                        return job;
                    }
                    if (drainEvents()) {
                        relist(); // a new file may outrank the rest of the snapshot
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Optional.empty();
                }
                awaitChange(Math.min(remaining, pollInterval.toNanos()));
            }
        }
    }

    private void relist() {
        QueueDefinition def = currentDefinition();
        snapshot = folder.listPending(def.prioritization());
        cursor = 0;
        listedAt = System.nanoTime();
        stale = false;
    }

    private QueueDefinition currentDefinition() {
        try {
            return folder.definition();
        } catch (ConfigException e) {
            throw new QueueException("queue '" + name() + "' cannot be used until its definition is fixed: "
                    + e.getMessage(), e);
        }
    }

    private boolean drainEvents() {
        if (watcher == null) {
            return false;
        }
        boolean changed = false;
        try {
            WatchKey key;
            while ((key = watcher.poll()) != null) {
                key.pollEvents();
                key.reset();
                changed = true;
            }
        } catch (ClosedWatchServiceException e) {
            return false;
        }
        return changed;
    }

    private void awaitChange(long nanos) throws InterruptedException {
        if (watcher == null) {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return;
        }
        try {
            WatchKey key = watcher.poll(nanos, TimeUnit.NANOSECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
                stale = true;
            }
        } catch (ClosedWatchServiceException e) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    /** Takes one pending file: an atomic rename into running/, which fails for all but one taker. */
    private Optional<Job> claim(QueueFolder.Candidate c) {
        String fileName = c.fileName();
        Path source = folder.pending.resolve(fileName);
        try {
            if (folder.nameTaken(fileName)) {
                String unique = folder.uniqueName(fileName);
                QueueFolder.move(source, folder.pending.resolve(unique));
                LOG.info("queue {}: an item named {} exists already; the new file is handled as {}", name(), fileName,
                        unique);
                fileName = unique;
                source = folder.pending.resolve(unique);
            }
            QueueFolder.move(source, folder.running.resolve(fileName));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // another agent took it first
        }
        hold(fileName);
        return open(fileName, c.priority());
    }

    /** Reads a claimed file into a job; a file that cannot become one is failed here, with its reason. */
    private Optional<Job> open(String fileName, Priority peeked) {
        Path file = folder.running.resolve(fileName);
        Instant now = clock.instant();
        ItemResult result = ItemResult.pending(fileName, name(), peeked, QueueFolder.mtime(file)).taken(now);
        try {
            Loaded loaded = load(fileName, "");
            result = ItemResult.pending(fileName, name(), loaded.priority(), QueueFolder.mtime(file)).taken(now);
            for (String w : loaded.warnings()) {
                result = result.warned(new ItemWarning(Stage.AGENT, w, now));
            }
            synchronized (reportLock) {
                folder.writeResult(folder.running, result);
            }
            return Optional.of(loaded.job());
        } catch (ConfigException | InvalidItemException e) {
            failClaimed(fileName, result, Stage.AGENT, e.getMessage());
        } catch (LaunchException e) {
            failClaimed(fileName, result, e.stage(), name() + "/" + fileName + ": " + e.getMessage());
        } catch (QueueException e) {
            LOG.warn("queue {}: cannot read {}: {}; it stays in running/", name(), fileName,
                    masker.mask(e.getMessage()));
        } catch (RuntimeException e) {
            // A bug must cost one item, not the agent's polling: fail it with what happened.
            LOG.error("queue {}: unexpected error reading {}: {}", name(), fileName, masker.mask(e.toString()));
            LOG.debug("queue {}: stack of the error reading {}", name(), fileName, e);
            failClaimed(fileName, result, Stage.AGENT, name() + "/" + fileName + ": the item could not be read: " + e);
        }
        return Optional.empty();
    }

    private void failClaimed(String fileName, ItemResult result, Stage stage, String unmasked) {
        // The message may quote the file, and the file may hold a secret the agent knows (a key pasted in).
        String message = masker.mask(unmasked);
        LOG.warn("queue {}: item {} failed: {}", name(), fileName, message);
        synchronized (reportLock) {
            folder.writeResult(folder.running, result);
            end(fileName, r -> r.failed(stage, message, clock.instant()), folder.failed);
        }
    }

    private record Loaded(Job job, Priority priority, List<String> warnings) {
    }

    private Loaded load(String fileName, String runId) {
        Path file = folder.running.resolve(fileName);
        ItemContent content = folder.load(file, fileName);
        QueueDefinition def = currentDefinition();
        List<String> warnings = new ArrayList<>();
        if (def.prioritization() == PrioritizationMode.DISABLED && content.priority() != Priority.MEDIUM) {
            warnings.add("priority " + content.priority().wireName() + " was ignored: queue '" + name()
                    + "' has prioritization disabled");
        }
        MergedSpec merged;
        try {
            merged = def.merge(LaunchSpec.of(content.specJson()), content.values());
        } catch (TemplateVariableException e) {
            throw content.locate(e);
        }
        warnings.addAll(merged.warnings());
        String entity = !def.entity().isEmpty() ? def.entity() : agentEntity;
        Job job = QueueJobs.create(fileName, name(), entity, merged.spec(), runId, random,
                Map.of("priority", content.priority().wireName()));
        return new Loaded(job, content.priority(), warnings);
    }

    @Override
    public void ack(Job job, String runId) {
        update(job.itemId(), r -> r.runId().isPresent() ? r : r.acked(runId, clock.instant()));
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        update(job.itemId(), r -> r.warned(new ItemWarning(stage, message, clock.instant())));
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        synchronized (reportLock) {
            end(job.itemId(), r -> r.failed(stage, message, clock.instant()), folder.failed);
        }
    }

    @Override
    public void complete(Job job, RunStatus status) {
        synchronized (reportLock) {
            end(job.itemId(), r -> r.completed(status, clock.instant()), folder.done);
        }
    }

    /**
     * Writes a new pending item that resumes the job's run: same {@code run_id}, {@code _resume_count} plus one, no
     * {@code sweep_id}, the job's priority; named {@code <item>-resume<N>.json}. The original item is then ended by
     * the agent ({@link #complete} with the preempted status) and its result names the new item.
     */
    @Override
    public boolean requeue(Job job) {
        LaunchSpec spec = QueueJobs.resumeSpec(job);
        String stem = job.itemId().replaceFirst("\\.(json|ya?ml)$", "").replaceFirst("-resume[0-9]+$", "");
        String newName = stem + "-resume" + spec.resumeCount() + ".json";
        synchronized (reportLock) {
            boolean exists = Files.exists(folder.pending.resolve(newName)) || folder.nameTaken(newName);
            if (!exists) {
                ObjectNode envelope = JsonNodeFactory.instance.objectNode();
                envelope.put("priority", job.attributes().getOrDefault("priority", Priority.MEDIUM.wireName()));
                envelope.set("spec", spec.toJson());
                folder.writeJson(folder.pending, newName, envelope);
            }
            update(job.itemId(), r -> r.requeuedAs(newName));
        }
        LOG.info("queue {}: requeued {} as {} (resume {})", name(), job.itemId(), newName, spec.resumeCount());
        return true;
    }

    /**
     * The job of an item still in {@code running/}, for a run that outlived its agent.
     *
     * @return empty when the item is not running (already ended, or unknown)
     */
    @Override
    public Optional<Job> recover(String itemId, String runId) {
        if (!QueueFolder.isItemName(itemId) || !Files.isRegularFile(folder.running.resolve(itemId))
                || finishEnded(itemId)) {
            return Optional.empty();
        }
        try {
            Job job = load(itemId, runId).job();
            hold(itemId);
            update(itemId, r -> r.runId().isPresent() ? r : r.acked(runId, clock.instant()));
            return Optional.of(job);
        } catch (RuntimeException e) {
            LOG.warn("queue {}: cannot recover item {}: {}", name(), itemId, e.getMessage());
            return Optional.empty();
        }
    }

    /** Marks the item's run as created ({@code running/.<item>.submitted} holds {@code runRef}). */
    @Override
    public void submitted(Job job, String runRef) {
        synchronized (reportLock) {
            if (!Files.isRegularFile(folder.running.resolve(job.itemId()))) {
                return;
            }
            try {
                Files.writeString(submittedFile(job.itemId()), runRef);
            } catch (IOException e) {
                throw new QueueException("cannot mark item " + job.itemId() + " as submitted in " + folder.running
                        + ": " + e, e);
            }
        }
    }

    /** The items in {@code running/}: taken by this or another agent, or left by one that died. */
    public List<String> running() {
        return QueueFolder.items(folder.running);
    }

    /**
     * Puts an item left in {@code running/} (by an agent that died, whose run did not survive) back in
     * {@code pending/}, to be run again. Only for items no live agent is running.
     *
     * @return false when the item is not in {@code running/}
     */
    public boolean release(String itemId) {
        synchronized (reportLock) {
            Path file = folder.running.resolve(itemId);
            if (!QueueFolder.isItemName(itemId) || !Files.isRegularFile(file)) {
                return false;
            }
            String target = Files.exists(folder.pending.resolve(itemId)) ? folder.uniqueName(itemId) : itemId;
            try {
                QueueFolder.move(file, folder.pending.resolve(target));
                Files.deleteIfExists(folder.running.resolve(itemId + QueueFolder.RESULT_SUFFIX));
                Files.deleteIfExists(ownerFile(itemId));
                Files.deleteIfExists(submittedFile(itemId));
            } catch (NoSuchFileException e) {
                return false;
            } catch (IOException e) {
                throw new QueueException("cannot release " + itemId + ": " + e, e);
            }
            return true;
        }
    }

    /** What happened to an item so far; see {@link DirectoryQueues#status}. */
    public Optional<ItemResult> result(String itemId) {
        return DirectoryQueues.status(folder, itemId);
    }

    private void update(String itemId, UnaryOperator<ItemResult> change) {
        synchronized (reportLock) {
            for (Path dir : List.of(folder.running, folder.done, folder.failed)) {
                Optional<ItemResult> r = folder.readResult(dir, itemId);
                if (r.isPresent()) {
                    folder.writeResult(dir, change.apply(r.get()));
                    return;
                }
            }
            Path file = folder.running.resolve(itemId);
            if (Files.exists(file)) {
                ItemResult fresh = ItemResult.pending(itemId, name(), Priority.MEDIUM, QueueFolder.mtime(file))
                        .taken(clock.instant());
                folder.writeResult(folder.running, change.apply(fresh));
            } else {
                LOG.warn("queue {}: report for item {}, which is not running, ignored", name(), itemId);
            }
        }
    }

    /** Records the end and moves item and result from running/ to {@code target}; a no-op when already ended. */
    private void end(String itemId, UnaryOperator<ItemResult> change, Path target) {
        Path file = folder.running.resolve(itemId);
        if (!Files.exists(file)) {
            LOG.debug("queue {}: item {} already ended", name(), itemId);
            return;
        }
        ItemResult r = folder.readResult(folder.running, itemId).orElseGet(() -> ItemResult.pending(itemId, name(),
                Priority.MEDIUM, QueueFolder.mtime(file)).taken(clock.instant()));
        // The result is written first and the item moved after: an agent that dies in between leaves an ended
        // result in running/, which finishEnded completes instead of running the item again.
        folder.writeResult(folder.running, change.apply(r));
        moveEnded(itemId, target);
    }

    private void moveEnded(String itemId, Path target) {
        try {
            QueueFolder.move(folder.running.resolve(itemId), target.resolve(itemId));
            QueueFolder.move(folder.running.resolve(itemId + QueueFolder.RESULT_SUFFIX),
                    target.resolve(itemId + QueueFolder.RESULT_SUFFIX));
            Files.deleteIfExists(ownerFile(itemId));
            Files.deleteIfExists(submittedFile(itemId));
        } catch (NoSuchFileException e) {
            LOG.warn("queue {}: item {} moved away while ending it: {}", name(), itemId, e.getMessage());
        } catch (IOException e) {
            LOG.warn("queue {}: could not remove the holder mark of ended item {}: {}", name(), itemId, e.toString());
        }
    }

    /**
     * Completes the end of an item whose terminal result was written in {@code running/} by an agent that died
     * before moving it: moves it to {@code done/} or {@code failed/} as its result says.
     *
     * @return false when the item has no ended result in {@code running/}
     */
    private boolean finishEnded(String itemId) {
        synchronized (reportLock) {
            if (!Files.isRegularFile(folder.running.resolve(itemId))) {
                return false;
            }
            Optional<ItemResult> r = folder.readResult(folder.running, itemId);
            if (r.isEmpty() || !r.get().state().isEnded()) {
                return false;
            }
            moveEnded(itemId, r.get().state() == ItemState.FAILED ? folder.failed : folder.done);
            LOG.info("queue {}: item {} had ended ({}) but was still in running/; moved it", name(), itemId,
                    r.get().state().wireName());
            return true;
        }
    }

    /**
     * Puts back in {@code pending/} every item in {@code running/} whose taker died before its run was adopted (and
     * moves on to {@code done/} or {@code failed/} one whose taker died after writing its end but before moving it): its
     * holder's lease is free, or it names no holder (the taker died between the rename and the mark) and no other
     * agent holds a lease on this folder. Call it after the runs that survived were adopted ({@link #recover} makes
     * this queue their holder), so only items that never got a run, or whose run is gone, are run again.
     *
     * @return how many items were put back
     */
    @Override
    public int releaseAbandoned() {
        int released = 0;
        for (String item : running()) {
            Optional<String> owner = readOwner(item);
            boolean abandoned = owner.isPresent() ? !leaseAlive(owner.get()) : !otherLeaseAlive();
            if (abandoned && (finishEnded(item) || failVanished(item))) {
                continue;
            }
            if (abandoned && release(item)) {
                LOG.info("queue {}: item {} was taken by an agent that died before its run started; it is pending "
                        + "again", name(), item);
                released++;
            }
        }
        return released;
    }

    /**
     * Fails an abandoned item whose run had been created but was not found again: its outcome is unknown, and
     * running it again could run it twice.
     *
     * @return false when the item's run was never marked as created
     */
    private boolean failVanished(String itemId) {
        String runRef;
        try {
            runRef = Files.readString(submittedFile(itemId)).strip();
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new QueueException("cannot read the submission mark of item " + itemId + ": " + e, e);
        }
        synchronized (reportLock) {
            end(itemId, r -> r.failed(Stage.RUN, "the run was created as " + runRef + " but was gone when an agent "
                    + "restarted (deleted while no agent was watching, for example by ttlSecondsAfterFinished); "
                    + "its outcome is unknown, so it is not run again: push the item again to rerun it",
                    clock.instant()), folder.failed);
        }
        LOG.warn("queue {}: item {}: its run {} is gone and was never reported; failed it", name(), itemId, runRef);
        return true;
    }

    private Path submittedFile(String itemId) {
        return folder.running.resolve("." + itemId + ".submitted");
    }

    private Path ownerFile(String itemId) {
        return folder.running.resolve("." + itemId + ".owner");
    }

    /** Marks this queue instance as the holder of a taken item. */
    private void hold(String itemId) {
        try {
            Files.writeString(ownerFile(itemId), leaseId);
        } catch (IOException e) {
            throw new QueueException("cannot mark item " + itemId + " as taken in " + folder.running + ": " + e, e);
        }
    }

    private Optional<String> readOwner(String itemId) {
        try {
            String id = Files.readString(ownerFile(itemId)).strip();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new QueueException("cannot read the holder of item " + itemId + ": " + e, e);
        }
    }

    /** Whether the agent with this lease id is alive: its lock file is locked by a process (or this JVM). */
    private boolean leaseAlive(String id) {
        if (id.equals(leaseId)) {
            return true;
        }
        Path lock = leases.resolve(id + ".lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true; // another process holds it
            }
            l.release();
            Files.deleteIfExists(lock); // a dead agent's lease: tidy it
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // another queue instance in this JVM holds it
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // Cannot tell: treat as alive, so an item is never run twice.
            LOG.warn("queue {}: cannot check lease {}: {}", name(), lock, e.toString());
            return true;
        }
    }

    private boolean otherLeaseAlive() {
        try (java.util.stream.Stream<Path> files = Files.list(leases)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".lock"))
                    .map(n -> n.substring(0, n.length() - ".lock".length()))
                    .filter(id -> !id.equals(leaseId)).toList().stream().anyMatch(this::leaseAlive);
        } catch (IOException e) {
            return true;
        }
    }

    /** Stops watching the folder. */
    @Override
    public void close() {
        try {
            if (lease.isValid()) {
                lease.release();
                leaseChannel.close();
                Files.deleteIfExists(leases.resolve(leaseId + ".lock"));
            }
        } catch (IOException e) {
            LOG.debug("releasing the lease on {}: {}", folder.dir, e.toString());
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debug("closing the watch of {}: {}", folder.pending, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "directory queue " + folder.dir;
    }
}
