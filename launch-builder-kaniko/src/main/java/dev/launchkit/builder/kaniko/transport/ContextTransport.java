package dev.launchkit.builder.kaniko.transport;

import java.nio.file.Path;

/**
 * Hands a build context archive to the Kaniko pod: through the environment's object store, or through a
 * PersistentVolumeClaim mounted both in the agent and in the Kaniko pod.
 *
 * <p>Thread-safe; each build stages its own archive under its run id.
 */
public sealed interface ContextTransport permits ObjectStoreTransport, PvcTransport {

    /**
     * Makes the archive readable by the Kaniko pod as {@code <run_id>.tgz}.
     *
     * @throws dev.launchkit.core.LaunchException at stage BUILD naming the store when it fails
     */
    StagedContext stage(Path archive, String runId);

    /** Removes a staged archive once the build is over; a missing archive is not an error. */
    void remove(StagedContext staged);

    /** The PVC to mount in the Kaniko pod, empty in object-store mode. */
    default String claimName() {
        return "";
    }

    /** For logs: where contexts go. */
    String describe();
}
