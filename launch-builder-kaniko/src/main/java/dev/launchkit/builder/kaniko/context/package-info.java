/**
 * Build contexts: which Dockerfile ({@link dev.launchkit.builder.kaniko.context.ContextPlanner}), the generated Python
 * Dockerfile ({@link dev.launchkit.builder.kaniko.context.PythonDockerfile}), and the reproducible tar.gz whose
 * SHA-256 is the image tag ({@link dev.launchkit.builder.kaniko.context.ContextArchive}).
 */
package dev.launchkit.builder.kaniko.context;
