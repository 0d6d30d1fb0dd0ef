/**
 * Rendering: a job's queue resource args, spec and image become the objects that run it — a {@code batch/v1} Job
 * or any custom resource, its API-key Secret and its image pull Secret — as a pure function without API calls
 * ({@link dev.launchkit.k8s.render.ManifestRenderer}), so {@code launch-agent render} prints exactly what
 * submission creates.
 */
package dev.launchkit.k8s.render;
