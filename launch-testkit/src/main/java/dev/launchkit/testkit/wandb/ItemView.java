package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A run queue item as the {@link FakeWandbServer} holds it.
 *
 * @param id              the {@code runQueueItemId}
 * @param queueId         the queue's id
 * @param queueName       the queue's name
 * @param state           {@code PENDING}, {@code LEASED} (popped), {@code CLAIMED} (acked) or {@code FAILED}
 * @param priority        0 (critical) to 3 (low)
 * @param runSpec         the spec as stored after the server merged the queue config (a text node for raw items)
 * @param associatedRunId the run id given at ack, empty before
 * @param launchAgentId   the agent that popped it, empty before
 * @param failure         the last failure, or null when not failed
 * @param warnings        every warning sent for it, in order
 */
public record ItemView(String id, String queueId, String queueName, String state, int priority, JsonNode runSpec,
                       String associatedRunId, String launchAgentId, Report failure, List<Report> warnings) {

    public ItemView {
        warnings = List.copyOf(warnings);
    }

    /** A failure or warning sent for an item. */
    public record Report(String stage, String message, List<String> filePaths) {
        public Report {
            filePaths = List.copyOf(filePaths);
        }
    }
}
