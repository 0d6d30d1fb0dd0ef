/**
 * Queue administration for embedders: create, upsert, describe and delete W&B run queues with a resource config
 * and template variables, and push items with a priority.
 */
package dev.launchkit.wandb.admin;
