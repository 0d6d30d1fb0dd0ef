package dev.launchkit.examples.reliability;

import dev.launchkit.core.Job;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.queue.ForwardingQueue;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A queue that passes everything on to a real one and counts the terminal reports ({@code complete}, {@code fail})
 * the agent makes per item, so a suite sees a second report even when the queue quietly ignores it.
 */
final class ReportCountingQueue extends ForwardingQueue {
    private final Map<String, Integer> reports = new ConcurrentHashMap<>();

    ReportCountingQueue(Queue delegate) {
        super(delegate);
    }

    /** Terminal reports per item id. */
    Map<String, Integer> reports() {
        return Map.copyOf(reports);
    }

    @Override
    public void fail(Job job, Stage stage, String message) {
        reports.merge(job.itemId(), 1, Integer::sum);
        super.fail(job, stage, message);
    }

    @Override
    public void complete(Job job, RunStatus status) {
        reports.merge(job.itemId(), 1, Integer::sum);
        super.complete(job, status);
    }
}
