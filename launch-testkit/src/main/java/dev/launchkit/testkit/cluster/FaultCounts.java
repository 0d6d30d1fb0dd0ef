package dev.launchkit.testkit.cluster;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link SimulatedCluster} injected since {@link SimulatedCluster#injectFaults} (the counts survive
 * {@link SimulatedCluster#clearFaults()} and reset with the next injectFaults).
 *
 * @param statuses       error responses per HTTP status
 * @param droppedWatches client watch streams ended on purpose
 * @param expiredWatches watches answered with a 410 Expired ERROR event
 */
public record FaultCounts(Map<Integer, Long> statuses, long droppedWatches, long expiredWatches) {

    public FaultCounts {
        statuses = Map.copyOf(new TreeMap<>(statuses));
    }

    /** Error responses of all statuses. */
    public long errors() {
        return statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every injected fault. */
    public long total() {
        return errors() + droppedWatches + expiredWatches;
    }
}
