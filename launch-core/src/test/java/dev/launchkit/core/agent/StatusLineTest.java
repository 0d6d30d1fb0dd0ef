package dev.launchkit.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The periodic status line reads as the W&B agent's, so people and log searches find what they know. */
class StatusLineTest {

    @Test
    void pollingAgentNamesItsQueuesAndLoadAsWandbDoes() {
        assertThat(LaunchAgent.statusLine("a1", List.of("k8s-test", "gpu"), 1, 4))
                .isEqualTo("launch: agent a1 polling on queues k8s-test,gpu, running 1 out of a maximum of 4 jobs");
    }

    @Test
    void agentAtCapacityLeavesOutThePollingPart() {
        assertThat(LaunchAgent.statusLine("a1", List.of("k8s-test"), 2, 2))
                .isEqualTo("launch: agent a1, running 2 out of a maximum of 2 jobs");
    }

    @Test
    void unlimitedAgentIsNeverAtCapacity() {
        assertThat(LaunchAgent.statusLine("a1", List.of("q"), 50, -1))
                .isEqualTo("launch: agent a1 polling on queues q, running 50 out of a maximum of unlimited jobs");
    }
}
