package dev.launchkit.k8s.monitor;

import dev.launchkit.core.Job;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.k8s.KubeObjectRef;
import java.util.List;
import java.util.Set;

/**
 * Tracks the objects the runner submitted: shared watches per (namespace, kind), status mapping, diagnostics,
 * start timeout, logs, cancel, and re-adoption after a restart.
 *
 * <p>Thread-safe. One monitor per runner; it never opens one watch per run.
 */
public interface RunMonitor extends AutoCloseable {

    /**
     * Starts tracking an object just created (or found existing on a 409) for a job.
     *
     * @return the run, whose status follows the object until a terminal state
     */
    SubmittedRun track(KubeObjectRef ref, Job job);

    /**
     * Lists the objects labelled as owned by this deployment in the given namespaces, and tracks those not yet
     * reported. The returned runs carry the queue name and item id recorded on the objects.
     */
    List<SubmittedRun> adopt(Set<String> namespaces);

    /** Stops all watches and threads; does not delete anything. */
    @Override
    void close();
}
