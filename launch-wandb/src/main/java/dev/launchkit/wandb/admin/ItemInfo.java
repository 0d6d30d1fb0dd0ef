package dev.launchkit.wandb.admin;

/**
 * A queue item's state ({@code GetRunQueueItem}).
 *
 * @param id              the {@code runQueueItemId}
 * @param state           {@code PENDING}, {@code LEASED}, {@code CLAIMED}, {@code FAILED}, ...
 * @param associatedRunId the run id the agent acked it with; empty before
 */
public record ItemInfo(String id, String state, String associatedRunId) {
}
