/**
 * W&B job resolution: a {@code runSpec.job} name becomes an image, git or code source by reading the job
 * artifact's {@code wandb-job.json}, downloaded over signed URLs.
 */
package dev.launchkit.wandb.job;
