package dev.launchkit.core.queue.memory;

import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.queue.InvalidItemException;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.ItemWarning;
import dev.launchkit.core.queue.MergedSpec;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import dev.launchkit.core.queue.QueueJobs;
import dev.launchkit.core.queue.SpecValidator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue held in memory, for embedding and tests: push items in code, let an agent poll them, then read what the
 * agent reported ({@link #result}, {@link #results}).
 *
 * <pre>{@code
 * MemoryQueue queue = new MemoryQueue(QueueDefinition.bare("jobs"));
 * String id = queue.push(spec, Priority.HIGH, Map.of());
 * // ... an agent polls it ...
 * queue.result(id).orElseThrow().state();   // DONE
 * }</pre>
 *
 * <p>Items pop by priority (unless the definition disables it), then first in, first out. The queue merges its
 * definition into each spec on push, as the W&B server does. Every acknowledgement, failure, warning and completion
 * is kept until {@link #clearEnded()}. Thread-safe; {@link #poll} waits without spinning.
 */
public final class MemoryQueue implements Queue {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryQueue.class);

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final TreeSet<Entry> pending = new TreeSet<>(Comparator.comparingInt(Entry::rank)
            .thenComparingLong(Entry::sequence));
    private final Map<String, ItemResult> results = new LinkedHashMap<>();
    private final Map<String, Entry> taken = new LinkedHashMap<>();
    private QueueDefinition definition;
    private long sequence;
    private boolean closed;

    private record Entry(String id, LaunchSpec spec, Priority priority, long sequence, int rank,
                         List<String> warnings) {
    }

    /** A queue with the system clock. */
    public MemoryQueue(QueueDefinition definition) {
        this(definition, Clock.systemUTC());
    }

    /** A queue whose timestamps come from {@code clock}. */
    public MemoryQueue(QueueDefinition definition, Clock clock) {
        this.definition = java.util.Objects.requireNonNull(definition, "definition");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return definition().name();
    }

    /** The queue's current definition. */
    public QueueDefinition definition() {
        lock.lock();
        try {
            return definition;
        } finally {
            lock.unlock();
        }
    }

    /** Replaces the definition (same name); items already pushed keep the configuration merged at push. */
    void redefine(QueueDefinition newDefinition) {
        lock.lock();
        try {
            if (!newDefinition.name().equals(definition.name())) {
                throw new IllegalArgumentException("cannot rename queue '" + definition.name() + "' to '"
                        + newDefinition.name() + "'");
            }
            definition = newDefinition;
        } finally {
            lock.unlock();
        }
    }

    /** Pushes an item at medium priority without template values. */
    public String push(LaunchSpec spec) {
        return push(spec, Priority.MEDIUM, Map.of());
    }

    /**
     * Pushes an item, merging the queue's definition into the spec.
     *
     * @return the item id
     * @throws InvalidItemException naming the spec field or template variable at fault
     */
    public String push(LaunchSpec spec, Priority priority, Map<String, ?> templateValues) {
        SpecValidator.validate(spec);
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("queue '" + name() + "' was deleted or closed");
            }
            if (definition.prioritization() == PrioritizationMode.DISABLED && priority != Priority.MEDIUM) {
                throw new InvalidItemException("queue '" + name() + "' has prioritization disabled; push at medium "
                        + "priority, or enable it (prioritization_mode: V0)");
            }
            MergedSpec merged = definition.merge(spec, templateValues);
            String id = "item-" + (++sequence);
            Entry e = new Entry(id, merged.spec(), priority, sequence, rank(priority), merged.warnings());
            pending.add(e);
            results.put(id, ItemResult.pending(id, name(), priority, clock.instant()));
            arrived.signalAll();
            return id;
        } finally {
            lock.unlock();
        }
    }

    private int rank(Priority priority) {
        return definition.prioritization() == PrioritizationMode.V0 ? priority.wandbValue() : 0;
    }

    @Override
    public Optional<Job> poll(Duration wait) throws InterruptedException {
        long remaining = wait.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                while (pending.isEmpty()) {
                    if (remaining <= 0 || closed) {
                        return Optional.empty();
                    }
                    remaining = arrived.awaitNanos(remaining);
                }
                Entry e = pending.pollFirst();
                ItemResult r = results.get(e.id()).taken(clock.instant());
                for (String w : e.warnings()) {
                    r = r.warned(new ItemWarning(Stage.AGENT, w, clock.instant()));
                }
                results.put(e.id(), r);
                try {
                    Job job = QueueJobs.create(e.id(), name(), definition.entity(), e.spec(), "", random,
                            Map.of("priority", e.priority().wireName()));
                    taken.put(e.id(), e);
                    return Optional.of(job);
                } catch (LaunchException ex) {
                    LOG.warn("queue {}: item {} cannot run: {}", name(), e.id(), ex.getMessage());
                    results.put(e.id(), r.failed(ex.stage(), ex.getMessage(), clock.instant()));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ack(Job job, String runId) {
        update(job, r -> r.runId().isPresent() ? r : r.acked(runId, clock.instant()));
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        update(job, r -> r.state().isEnded() ? r : r.failed(stage, message, clock.instant()));
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        update(job, r -> r.warned(new ItemWarning(stage, message, clock.instant())));
    }

    @Override
    public void complete(Job job, RunStatus status) {
        update(job, r -> r.state().isEnded() ? r : r.completed(status, clock.instant()));
    }

    /** Pushes a new item that resumes the job's run ({@code _resume_count} + 1), at the job's priority. */
    @Override
    public boolean requeue(Job job) {
        lock.lock();
        try {
            ItemResult r = results.get(job.itemId());
            if (r == null) {
                return false;
            }
            if (r.requeuedAs().isPresent()) {
                return true;
            }
            String id = "item-" + (++sequence);
            Entry e = new Entry(id, QueueJobs.resumeSpec(job), r.priority(), sequence, rank(r.priority()), List.of());
            pending.add(e);
            results.put(id, ItemResult.pending(id, name(), r.priority(), clock.instant()));
            results.put(job.itemId(), r.requeuedAs(id));
            arrived.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The job of an item that is still running, with the run id the runner recorded. */
    @Override
    public Optional<Job> recover(String itemId, String runId) {
        lock.lock();
        try {
            Entry e = taken.get(itemId);
            ItemResult r = results.get(itemId);
            if (e == null || r == null || r.state() != ItemState.RUNNING) {
                return Optional.empty();
            }
            return Optional.of(QueueJobs.create(itemId, name(), definition.entity(), e.spec(), runId, random,
                    Map.of("priority", e.priority().wireName())));
        } finally {
            lock.unlock();
        }
    }

    private void update(Job job, UnaryOperator<ItemResult> change) {
        lock.lock();
        try {
            ItemResult r = results.get(job.itemId());
            if (r == null) {
                LOG.warn("queue {}: report for unknown item {} ignored", name(), job.itemId());
                return;
            }
            results.put(job.itemId(), change.apply(r));
        } finally {
            lock.unlock();
        }
    }

    /** The items waiting, in the order they will pop. */
    public List<QueueItem> pending() {
        lock.lock();
        try {
            List<QueueItem> out = new ArrayList<>();
            for (Entry e : pending) {
                out.add(new QueueItem(e.id(), name(), e.spec(), e.priority(),
                        results.get(e.id()).enqueuedAt().orElseThrow()));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** What happened to an item; empty for an id this queue never issued. */
    public Optional<ItemResult> result(String itemId) {
        lock.lock();
        try {
            return Optional.ofNullable(results.get(itemId));
        } finally {
            lock.unlock();
        }
    }

    /** Every item pushed, in push order, with what happened to it so far. */
    public List<ItemResult> results() {
        lock.lock();
        try {
            return List.copyOf(results.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets the items that have ended (their results included), for long-lived embedded queues.
     *
     * @return how many were forgotten
     */
    public int clearEnded() {
        lock.lock();
        try {
            List<String> ended = results.values().stream().filter(r -> r.state().isEnded())
                    .map(ItemResult::itemId).toList();
            ended.forEach(id -> {
                results.remove(id);
                taken.remove(id);
            });
            return ended.size();
        } finally {
            lock.unlock();
        }
    }

    /** The number of items taken but not yet ended. */
    public int running() {
        lock.lock();
        try {
            return (int) results.values().stream().filter(r -> r.state() == ItemState.RUNNING).count();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting poller. The queue stays usable: an embedder may hand it to the next agent. */
    @Override
    public void close() {
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the queue deleted: pushes fail, polls return nothing; reports on running items are still kept. */
    void retire() {
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "memory queue " + name();
    }
}
