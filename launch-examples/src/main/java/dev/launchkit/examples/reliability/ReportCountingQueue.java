package dev.launchkit.examples.reliability;

import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A queue that passes everything on to a real one and counts the terminal reports ({@code complete}, {@code fail})
 * the agent makes per item, so a suite sees a second report even when the queue quietly ignores it.
 */
final class ReportCountingQueue implements Queue {
    private final Queue delegate;
    private final Map<String, Integer> reports = new ConcurrentHashMap<>();

    ReportCountingQueue(Queue delegate) {
        this.delegate = delegate;
    }

    /** Terminal reports per item id. */
    Map<String, Integer> reports() {
        return Map.copyOf(reports);
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
        reports.merge(job.itemId(), 1, Integer::sum);
        delegate.fail(job, stage, message);
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        delegate.warn(job, stage, message);
    }

    @Override
    public void complete(Job job, RunStatus status) {
        reports.merge(job.itemId(), 1, Integer::sum);
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
    public int releaseAbandoned() {
        return delegate.releaseAbandoned();
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
