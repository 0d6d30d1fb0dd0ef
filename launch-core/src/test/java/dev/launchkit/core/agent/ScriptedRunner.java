package dev.launchkit.core.agent;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Runner;
import dev.launchkit.core.SubmittedRun;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Runner SPI test double: each submitted run stays running until the test finishes it, so tests control
 * concurrency and outcomes exactly.
 */
final class ScriptedRunner implements Runner {
    final Map<String, Run> runs = new ConcurrentHashMap<>();
    final List<String> submittedOrder = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    volatile RunStatus autoFinish;
    final List<SubmittedRun> toAdopt = new CopyOnWriteArrayList<>();

    @Override
    public String type() {
        return "scripted";
    }

    @Override
    public SubmittedRun submit(Job job, ImageRef image) {
        Run run = new Run(job.runId(), job.itemId(), job.queueName());
        // Counted down before the completion is signalled, so the agent cannot start the next run first.
        run.beforeCompletion = running::decrementAndGet;
        runs.put(job.runId(), run);
        submittedOrder.add(job.itemId());
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        RunStatus auto = autoFinish;
        if (auto != null) {
            run.finish(auto);
        }
        return run;
    }

    @Override
    public List<SubmittedRun> adopt() {
        return List.copyOf(toAdopt);
    }

    static final class Run implements SubmittedRun {
        final String runId;
        final String itemId;
        final String queue;
        final CompletableFuture<RunStatus> completion = new CompletableFuture<>();
        final List<RunListener> listeners = new CopyOnWriteArrayList<>();
        volatile RunStatus status = RunStatus.of(RunState.RUNNING);
        volatile boolean cancelled;
        volatile boolean reported;
        volatile String logTail = "";
        volatile Runnable beforeCompletion = () -> { };

        Run(String runId, String itemId, String queue) {
            this.runId = runId;
            this.itemId = itemId;
            this.queue = queue;
        }

        synchronized void finish(RunStatus s) {
            if (completion.isDone()) {
                return;
            }
            beforeCompletion.run();
            status = s;
            listeners.forEach(l -> l.status(s));
            completion.complete(s);
        }

        void warn(String message) {
            listeners.forEach(l -> l.warning(message));
        }

        @Override
        public String id() {
            return "scripted/" + runId;
        }

        @Override
        public String runId() {
            return runId;
        }

        @Override
        public String itemId() {
            return itemId;
        }

        @Override
        public String queueName() {
            return queue;
        }

        @Override
        public RunStatus status() {
            return status;
        }

        @Override
        public CompletableFuture<RunStatus> completion() {
            return completion;
        }

        @Override
        public void addListener(RunListener listener) {
            listeners.add(listener);
            listener.status(status);
        }

        @Override
        public void cancel() {
            cancelled = true;
            finish(RunStatus.of(RunState.STOPPED, "Cancelled", "cancelled by the agent"));
        }

        @Override
        public void markReported() {
            reported = true;
        }

        @Override
        public String logTail() {
            return logTail;
        }
    }
}
