package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A launch agent registered with the {@link FakeWandbServer} through {@code createLaunchAgent}.
 *
 * @param id          the {@code launchAgentId}
 * @param name        the server-assigned name
 * @param entity      the entity it registered for
 * @param project     the project of its queues ({@code model-registry})
 * @param hostname    the hostname it sent
 * @param queueIds    the queue ids it polls
 * @param agentConfig the parsed {@code agentConfig} JSON it sent (an empty object when none)
 * @param version     the version string it sent
 * @param status      the last {@code updateLaunchAgent} status, empty before the first
 * @param statuses    every status it sent, in order
 * @param stopPolling whether a user asked it to stop
 */
public record AgentView(String id, String name, String entity, String project, String hostname,
                        List<String> queueIds, JsonNode agentConfig, String version, String status,
                        List<String> statuses, boolean stopPolling) {
    public AgentView {
        queueIds = List.copyOf(queueIds);
        statuses = List.copyOf(statuses);
    }
}
