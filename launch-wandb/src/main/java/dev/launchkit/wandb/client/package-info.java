/**
 * The W&B GraphQL client: {@link dev.launchkit.wandb.client.WandbClient} (basic auth {@code api:<key>}, retries
 * with backoff on 5xx/429/network errors, custom CA bundles, signed-URL downloads), its errors, and
 * {@link dev.launchkit.wandb.client.Operations}, every GraphQL document LaunchKit sends.
 */
package dev.launchkit.wandb.client;
