package dev.launchkit.core.agent;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A Queue SPI test double that hands out specs and records every report as a line like "fail item-1 run msg". */
final class RecordingQueue implements Queue {
    private final String name;
    private final BlockingQueue<Job> items = new LinkedBlockingQueue<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Job> requeued = new CopyOnWriteArrayList<>();
    volatile boolean stopRequested;
    volatile RuntimeException pollError;
    private final AtomicInteger ids = new AtomicInteger();

    RecordingQueue(String name) {
        this.name = name;
    }

    Job push(String specJson) {
        LaunchSpec spec = LaunchSpec.parse(specJson);
        String item = name + "-" + ids.incrementAndGet();
        String runId = spec.runId().orElse("run" + item.replaceAll("[^a-z0-9]", ""));
        Job job = new Job(item, name, "team", spec.withRunId(runId), JobSource.fromSpec(spec), runId, Map.of());
        items.add(job);
        return job;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Job> poll(Duration wait) throws InterruptedException {
        RuntimeException e = pollError;
        if (e != null) {
            throw e;
        }
        return Optional.ofNullable(items.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void ack(Job job, String runId) {
        events.add("ack " + job.itemId() + " " + runId);
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        events.add("fail " + job.itemId() + " " + stage.wireName() + " " + message);
    }

    @Override
    public void warn(Job job, Stage stage, String message) {
        events.add("warn " + job.itemId() + " " + stage.wireName() + " " + message);
    }

    @Override
    public void complete(Job job, RunStatus status) {
        events.add("complete " + job.itemId() + " " + status.state().wireName());
    }

    @Override
    public boolean stopRequested(Job job) {
        return stopRequested;
    }

    @Override
    public boolean requeue(Job job) {
        requeued.add(job);
        return true;
    }

    @Override
    public Optional<Job> recover(String itemId, String runId) {
        return Optional.of(new Job(itemId, name, "team", LaunchSpec.empty().withRunId(runId),
                new JobSource.Unresolved("recovered"), runId, Map.of()));
    }

    /** Events that end an item (fail or complete). */
    List<String> terminal() {
        return events.stream().filter(e -> e.startsWith("fail ") || e.startsWith("complete ")).toList();
    }
}
