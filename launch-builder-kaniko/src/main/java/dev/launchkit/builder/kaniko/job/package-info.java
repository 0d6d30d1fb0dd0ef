/**
 * The Kaniko Job: rendering ({@link dev.launchkit.builder.kaniko.job.KanikoJobRenderer}), registry credentials
 * ({@link dev.launchkit.builder.kaniko.job.RegistryAuth}), creation and cleanup
 * ({@link dev.launchkit.builder.kaniko.job.BuildJobClient}) and the failed-packages marker of its log.
 */
package dev.launchkit.builder.kaniko.job;
