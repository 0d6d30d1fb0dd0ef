/**
 * The {@code wandb} queue backend: {@link dev.launchkit.wandb.queue.WandbQueueProvider} (registered for
 * {@code queue_backend.type: wandb}), {@link dev.launchkit.wandb.queue.WandbSession} (one agent registration and
 * the W&B polling rhythm per agent), {@link dev.launchkit.wandb.queue.WandbQueue} and
 * {@link dev.launchkit.wandb.queue.WandbSettings}.
 */
package dev.launchkit.wandb.queue;
