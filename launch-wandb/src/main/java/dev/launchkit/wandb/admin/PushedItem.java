package dev.launchkit.wandb.admin;

import dev.launchkit.core.LaunchSpec;
import java.util.Optional;

/**
 * An item W&B accepted.
 *
 * @param itemId  the {@code runQueueItemId}
 * @param runSpec the spec after the server merged the queue config, when the server returns it
 */
public record PushedItem(String itemId, Optional<LaunchSpec> runSpec) {
}
