package dev.launchkit.k8s;

import dev.launchkit.core.Job;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.monitor.RunMonitor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link RunMonitor} test double for the runner's tests: it records what the runner hands over (the seam between
 * submission and monitoring) and tracks nothing. Status following is the monitor's own tests' business.
 */
final class RecordingMonitor implements RunMonitor {
    final List<KubeObjectRef> tracked = new CopyOnWriteArrayList<>();
    final List<Job> jobs = new CopyOnWriteArrayList<>();
    final List<Set<String>> adoptedNamespaces = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    @Override
    public SubmittedRun track(KubeObjectRef ref, Job job) {
        tracked.add(ref);
        jobs.add(job);
        return new Run(ref, job);
    }

    @Override
    public List<SubmittedRun> adopt(Set<String> namespaces) {
        adoptedNamespaces.add(Set.copyOf(namespaces));
        return List.of();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The run as the runner returns it: identified by the object it created. */
    private record Run(KubeObjectRef ref, Job job) implements SubmittedRun {
        @Override
        public String id() {
            return ref.toString();
        }

        @Override
        public String runId() {
            return job.runId();
        }

        @Override
        public String itemId() {
            return job.itemId();
        }

        @Override
        public String queueName() {
            return job.queueName();
        }

        @Override
        public RunStatus status() {
            return RunStatus.of(RunState.STARTING);
        }

        @Override
        public CompletableFuture<RunStatus> completion() {
            return new CompletableFuture<>();
        }

        @Override
        public void addListener(RunListener listener) {
            listener.status(status());
        }

        @Override
        public void cancel() {
            throw new IllegalStateException("the recording monitor follows no run; cancel is the monitor's job");
        }

        @Override
        public String logTail() {
            return "";
        }
    }
}
