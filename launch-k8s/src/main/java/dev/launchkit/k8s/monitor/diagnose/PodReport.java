package dev.launchkit.k8s.monitor.diagnose;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the monitor keeps of one pod of a run: enough to decide the run's state, explain failures and find its
 * logs, without holding on to the whole pod object.
 *
 * @param name          the pod name
 * @param phase         {@code Pending}, {@code Running}, {@code Succeeded}, {@code Failed} or {@code Unknown}
 * @param running       whether a container of the pod is running now
 * @param finished      whether the pod reached {@code Succeeded} or {@code Failed}
 * @param mainContainer the first (main) container of the pod spec; empty when the spec has none
 * @param mainRestarts  how often the main container restarted
 * @param mainStarted   whether the main container has started at least once (running, or terminated)
 * @param created       the pod's creation time; {@link Instant#EPOCH} when unknown
 * @param labels        the pod's labels
 * @param findings      what is wrong with it, most telling first
 */
public record PodReport(String name, String phase, boolean running, boolean finished, String mainContainer,
                        int mainRestarts, boolean mainStarted, Instant created, Map<String, String> labels,
                        List<Finding> findings) {

    public PodReport {
        labels = Map.copyOf(labels);
        findings = List.copyOf(findings);
    }

    /** Whether the pod failed. */
    public boolean failed() {
        return "Failed".equals(phase);
    }

    /** The disruption (preemption, eviction), if the platform took the pod away. */
    public Optional<Finding> disruption() {
        return first(Finding.Kind.DISRUPTION);
    }

    /** Why the pod cannot start, if it is stuck. */
    public Optional<Finding> stuck() {
        return first(Finding.Kind.STUCK);
    }

    /** The most telling container failure (OOMKilled before crash loop before a plain exit code). */
    public Optional<Finding> failure() {
        return first(Finding.Kind.FAILURE);
    }

    private Optional<Finding> first(Finding.Kind kind) {
        return findings.stream().filter(f -> f.kind() == kind).findFirst();
    }

    /** Orders pods oldest first, then by name. */
    public static final Comparator<PodReport> OLDEST_FIRST =
            Comparator.comparing(PodReport::created).thenComparing(PodReport::name);
}
