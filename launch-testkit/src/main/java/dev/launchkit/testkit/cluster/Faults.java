package dev.launchkit.testkit.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Faults a {@link SimulatedCluster} injects into its clients' requests (never into the simulator's own), for
 * reliability tests:
 * <pre>{@code
 * cluster.injectFaults(Faults.builder().errorRate(0.10).statuses(500, 429)
 *         .dropWatchesEvery(Duration.ofSeconds(3)).goneOnResume(true).seed(42).build());
 * }</pre>
 *
 * @param errorRate        share of client requests (watches included) answered with an error status, 0..1
 * @param statuses         the statuses to answer with, picked at random; 5xx and 429 come as Kubernetes Status
 *                         JSON, 429 with {@code Retry-After: 1}
 * @param dropWatchesEvery how often every open client watch stream is ended (a clean end of body, as after an API
 *                         server's watch timeout); empty for never
 * @param goneOnResume     whether a watch that resumes from a {@code resourceVersion} gets an ERROR event with a
 *                         410 Expired Status, once per distinct resourceVersion, as after etcd compaction
 * @param seed             seed of the random choices, so a failing run can be replayed
 */
public record Faults(double errorRate, List<Integer> statuses, Optional<Duration> dropWatchesEvery,
        boolean goneOnResume, long seed) {

    public Faults {
        if (errorRate < 0 || errorRate > 1) {
            throw new IllegalArgumentException("errorRate must be between 0 and 1, got " + errorRate);
        }
        statuses = List.copyOf(statuses);
        if (errorRate > 0 && statuses.isEmpty()) {
            throw new IllegalArgumentException("errorRate " + errorRate + " needs statuses(...) to answer with");
        }
        for (int s : statuses) {
            if (s < 400 || s > 599) {
                throw new IllegalArgumentException("fault status " + s + " is not an HTTP error (400..599)");
            }
        }
        if (dropWatchesEvery.isPresent() && (dropWatchesEvery.get().isNegative() || dropWatchesEvery.get().isZero())) {
            throw new IllegalArgumentException("dropWatchesEvery must be positive, got " + dropWatchesEvery.get());
        }
    }

    /** A builder with no faults and seed 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link Faults}; short-lived and not thread-safe. */
    public static final class Builder {
        private double errorRate;
        private final List<Integer> statuses = new ArrayList<>();
        private Duration dropWatchesEvery;
        private boolean goneOnResume;
        private long seed;

        private Builder() {
        }

        /** Share of client requests to fail, 0..1. */
        public Builder errorRate(double rate) {
            this.errorRate = rate;
            return this;
        }

        /** Statuses failed requests get (e.g. 500, 503, 429). */
        public Builder statuses(int... codes) {
            statuses.clear();
            for (int c : codes) {
                statuses.add(c);
            }
            return this;
        }

        /** Ends all open client watch streams at this period. */
        public Builder dropWatchesEvery(Duration period) {
            this.dropWatchesEvery = period;
            return this;
        }

        /** Answers watches resuming from a resourceVersion with 410 Expired (once per resourceVersion). */
        public Builder goneOnResume(boolean gone) {
            this.goneOnResume = gone;
            return this;
        }

        /** Seed of the random choices. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** The faults; throws IllegalArgumentException naming the bad setting. */
        public Faults build() {
            return new Faults(errorRate, statuses, Optional.ofNullable(dropWatchesEvery), goneOnResume, seed);
        }
    }
}
