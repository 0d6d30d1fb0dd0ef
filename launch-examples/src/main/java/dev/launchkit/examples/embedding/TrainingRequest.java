package dev.launchkit.examples.embedding;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a hypothetical ML platform calls a job: a request to train something. The platform's own queue turns these
 * into LaunchKit jobs.
 *
 * @param id      the platform's request id
 * @param team    the W&B entity to log to
 * @param project the W&B project
 * @param image   the container image with the training code
 * @param command the command to run
 * @param config  hyperparameters, passed to the run as {@code WANDB_CONFIG}
 */
public record TrainingRequest(String id, String team, String project, String image, List<String> command,
                              Map<String, Object> config) {
    public TrainingRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(team, "team");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(image, "image");
        command = List.copyOf(command);
        config = Map.copyOf(config);
    }
}
