package dev.launchkit.testkit.wandb;

import java.util.ArrayList;
import java.util.List;

/**
 * The GraphQL call sequences the Python {@code wandb launch-agent} produces (reference: wandb-launch-agent.md
 * §3.2), as operation names, to compare with {@link FakeWandbServer#operationsWithoutIdlePolling()}.
 *
 * <pre>{@code
 * List<String> expected = PythonAgentSequence.of(PythonAgentSequence.startup(),
 *         PythonAgentSequence.imageJob(true), PythonAgentSequence.shutdown());
 * assertThat(PythonAgentSequence.withoutStopChecks(wandb.operationsWithoutIdlePolling())).isEqualTo(expected);
 * }</pre>
 *
 * <p>{@code RunStoppedStatus} is asked periodically while a run goes (every 10 s in W&B), so its count depends on
 * timing; {@link #withoutStopChecks} leaves it out for an exact comparison.
 */
public final class PythonAgentSequence {
    private PythonAgentSequence() {
    }

    /** Agent start: key check, queue lookup, registration, team check, agent name. */
    public static List<String> startup() {
        return List.of("Viewer", "ProjectRunQueues", "createLaunchAgent", "EntityIsTeam", "LaunchAgent");
    }

    /** Agent start when the entity has no queue and {@code default} is polled: the queue is created first. */
    public static List<String> startupCreatingDefaultQueue() {
        return List.of("Viewer", "ProjectRunQueues", "CreateRunQueue", "createLaunchAgent", "EntityIsTeam",
                "LaunchAgent");
    }

    /**
     * One image job that ends well: pop, {@code RUNNING}, ack, (one warning), the {@code wandb.init} check,
     * {@code POLLING}.
     */
    public static List<String> imageJob(boolean withWarning) {
        List<String> out = new ArrayList<>(List.of("popFromRunQueue", "updateLaunchAgent", "ackRunQueueItem"));
        if (withWarning) {
            out.add("updateRunQueueItemWarning");
        }
        out.add("RunState");
        out.add("updateLaunchAgent");
        return List.copyOf(out);
    }

    /** The job artifact fetch of a job-based item (between ack and the run). */
    public static List<String> jobArtifactFetch() {
        return List.of("ArtifactMembershipByName", "FetchArtifactManifest", "GetArtifactFileUrls");
    }

    /** Agent shutdown: {@code KILLED}. */
    public static List<String> shutdown() {
        return List.of("updateLaunchAgent");
    }

    /** The parts, one after the other. */
    @SafeVarargs
    public static List<String> of(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return List.copyOf(out);
    }

    /** {@code operations} without the periodic {@code RunStoppedStatus} checks. */
    public static List<String> withoutStopChecks(List<String> operations) {
        return operations.stream().filter(op -> !op.equals("RunStoppedStatus")).toList();
    }
}
