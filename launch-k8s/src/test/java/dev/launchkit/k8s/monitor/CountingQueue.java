package dev.launchkit.k8s.monitor;

import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real queue (the core's memory queue, say) that also counts the terminal reports each item receives, so a test
 * can tell "reported once" from "reported twice, the second ignored by the queue".
 */
final class CountingQueue implements Queue {
    private final Queue delegate;
    private final Map<String, List<String>> reports = new ConcurrentHashMap<>();

    CountingQueue(Queue delegate) {
        this.delegate = delegate;
    }

    /** The terminal reports ({@code complete <state>} / {@code fail <stage>}) each item got, by item id. */
    Map<String, List<String>> reports() {
        return reports;
    }

    private void record(Job job, String what) {
        reports.computeIfAbsent(job.itemId(), k -> new CopyOnWriteArrayList<>()).add(what);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Optional<Job> poll(Duration wait) throws InterruptedException {
        return delegate.poll(wait);
    }

    @Override
    public void ack(Job job, String runId) {
        delegate.ack(job, runId);
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        record(job, "fail " + stage.wireName());
        delegate.fail(job, stage, message);
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        delegate.warn(job, stage, message);
    }

    @Override
    public void complete(Job job, RunStatus status) {
        record(job, "complete " + status.state().wireName());
        delegate.complete(job, status);
    }

    @Override
    public Job resolve(Job job) {
        return delegate.resolve(job);
    }

    @Override
    public boolean stopRequested(Job job) {
        return delegate.stopRequested(job);
    }

    @Override
    public boolean requeue(Job job) {
        return delegate.requeue(job);
    }

    @Override
    public Optional<Job> recover(String itemId, String runId) {
        return delegate.recover(itemId, runId);
    }

    @Override
    public void agentState(AgentState state) {
        delegate.agentState(state);
    }

    @Override
    public boolean stopPollingRequested() {
        return delegate.stopPollingRequested();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
