/**
 * Queue administration for embedders: {@link dev.launchkit.wandb.admin.WandbQueueAdmin}, the core
 * {@link dev.launchkit.core.queue.QueueAdmin} over W&B GraphQL (create, upsert, get, list and delete run queues with a
 * resource config and template variables; push items with a priority; pending items and item status).
 */
package dev.launchkit.wandb.admin;
