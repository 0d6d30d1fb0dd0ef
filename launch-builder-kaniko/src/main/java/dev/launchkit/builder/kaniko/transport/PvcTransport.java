package dev.launchkit.builder.kaniko.transport;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * PVC mode ({@code WANDB_LAUNCH_KANIKO_PVC_NAME} / {@code _MOUNT_PATH}, for clusters without object storage): the
 * archive is copied to {@code <mount>/<run_id>.tgz} in the agent's mount of the claim, and the Kaniko pod mounts
 * the same claim at {@code /context} and reads {@code tar:///context/<run_id>.tgz}.
 */
public final class PvcTransport implements ContextTransport {
    /** Where the Kaniko pod mounts the claim. */
    public static final String POD_MOUNT = "/context";
    private final String claimName;
    private final Path mountPath;

    /**
     * @param claimName the PersistentVolumeClaim's name
     * @param mountPath where the agent has the claim mounted (W&B chart: {@code /home/launch_agent/kaniko})
     */
    public PvcTransport(String claimName, Path mountPath) {
        this.claimName = Objects.requireNonNull(claimName, "claimName");
        this.mountPath = Objects.requireNonNull(mountPath, "mountPath");
    }

    @Override
    public StagedContext stage(Path archive, String runId) {
        Path target = mountPath.resolve(runId + ".tgz");
        Path partial = mountPath.resolve("." + runId + ".tgz.partial");
        try {
            // Copy under a temporary name and rename, so the pod never sees half an archive.
            Files.copy(archive, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LaunchException(Stage.BUILD, "cannot copy the build context to the Kaniko PVC '" + claimName
                    + "' mounted at " + mountPath + ": " + e + ". Check WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH and that "
                    + "the agent can write there", e);
        }
        return new StagedContext("tar://" + POD_MOUNT + "/" + runId + ".tgz", target.toString());
    }

    @Override
    public void remove(StagedContext staged) {
        try {
            Files.deleteIfExists(Path.of(staged.location()));
        } catch (IOException e) {
            throw new LaunchException(Stage.BUILD, "cannot delete the build context " + staged.location()
                    + " from the Kaniko PVC: " + e, e);
        }
    }

    @Override
    public String claimName() {
        return claimName;
    }

    @Override
    public String describe() {
        return "PVC " + claimName + " (" + mountPath + ")";
    }
}
