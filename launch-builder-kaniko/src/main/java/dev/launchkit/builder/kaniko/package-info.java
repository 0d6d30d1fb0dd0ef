/**
 * The {@code kaniko} builder: builds job images inside the cluster with a Kaniko Job.
 *
 * <p>{@link dev.launchkit.builder.kaniko.KanikoBuilderProvider} is found by {@code builder.type: kaniko};
 * {@link dev.launchkit.builder.kaniko.KanikoBuilder} does the work; {@link dev.launchkit.builder.kaniko.KanikoSettings}
 * documents the configuration keys and environment variables. Sub-packages by feature: {@code source} (git fetch),
 * {@code context} (Dockerfile choice, reproducible archive, content-hash tag), {@code transport} (object store or
 * PVC), {@code job} (the Kaniko Job, registry credentials, cleanup).
 */
package dev.launchkit.builder.kaniko;
