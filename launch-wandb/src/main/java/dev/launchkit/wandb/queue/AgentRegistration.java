package dev.launchkit.wandb.queue;

import java.util.List;
import java.util.Objects;

/**
 * What W&B knows this agent as after {@code createLaunchAgent}.
 *
 * @param agentId    the {@code launchAgentId}
 * @param name       the server-assigned agent name (shown in the W&B UI); the id when the server sent none
 * @param entity     the entity the agent serves
 * @param project    the project of its queues ({@code model-registry})
 * @param queueNames the queues it polls, in order
 * @param queueIds   their ids, in the same order
 * @param team       whether the entity is a team (its members can run code on this agent)
 */
public record AgentRegistration(String agentId, String name, String entity, String project, List<String> queueNames,
                                List<String> queueIds, boolean team) {
    public AgentRegistration {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(project, "project");
        queueNames = List.copyOf(queueNames);
        queueIds = List.copyOf(queueIds);
    }
}
