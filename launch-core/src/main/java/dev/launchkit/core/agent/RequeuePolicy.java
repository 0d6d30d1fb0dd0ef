package dev.launchkit.core.agent;

import java.util.function.Predicate;

/**
 * Whether a preempted run goes back on its queue, and how often at most (W&B: always, at most 5 resumes).
 *
 * @param enabled     per queue name, whether to requeue
 * @param maxAttempts how many times a run may be resumed; a run whose {@code _resume_count} has reached it fails
 */
public record RequeuePolicy(Predicate<String> enabled, int maxAttempts) {
    /** W&B's behaviour: requeue, up to 5 times. */
    public static RequeuePolicy standard() {
        return new RequeuePolicy(q -> true, 5);
    }

    /** Never requeue: a preempted run ends its item as failed. */
    public static RequeuePolicy never() {
        return new RequeuePolicy(q -> false, 0);
    }
}
