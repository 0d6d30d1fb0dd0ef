package dev.launchkit.k8s.monitor;

import dev.launchkit.core.Job;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.queue.ForwardingQueue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real queue (the core's memory queue, say) that also counts the terminal reports each item receives, so a test
 * can tell "reported once" from "reported twice, the second ignored by the queue".
 */
final class CountingQueue extends ForwardingQueue {
    private final Map<String, List<String>> reports = new ConcurrentHashMap<>();

    CountingQueue(Queue delegate) {
        super(delegate);
    }

    /** The terminal reports ({@code complete <state>} / {@code fail <stage>}) each item got, by item id. */
    Map<String, List<String>> reports() {
        return reports;
    }

    private void record(Job job, String what) {
        reports.computeIfAbsent(job.itemId(), k -> new CopyOnWriteArrayList<>()).add(what);
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        record(job, "fail " + stage.wireName());
        super.fail(job, stage, message);
    }

    @Override
    public void complete(Job job, RunStatus status) {
        record(job, "complete " + status.state().wireName());
        super.complete(job, status);
    }
}
