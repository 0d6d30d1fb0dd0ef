package dev.launchkit.core.queue;

import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Queue} that passes every call to another, for wrappers that add something to a few calls (metrics, audit,
 * counting reports) and must not silently drop the rest: a wrapper written against the interface inherits the
 * defaults of methods added later ({@code recover}, {@code releaseAbandoned}, {@code submitted}) and so stops
 * forwarding them. Subclasses override what they add to and call {@code super}.
 */
public abstract class ForwardingQueue implements Queue {
    private final Queue delegate;

    protected ForwardingQueue(Queue delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The queue calls go to. */
    protected final Queue delegate() {
        return delegate;
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
        delegate.fail(job, stage, message);
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        delegate.warn(job, stage, message);
    }

    @Override
    public void complete(Job job, RunStatus status) {
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
    public void submitted(Job job, String runRef) {
        delegate.submitted(job, runRef);
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
