/**
 * Status mapping per kind: the {@link dev.launchkit.k8s.monitor.status.StatusMapper} SPI, the built-in mappers
 * (batch Job conditions, JobSet, RayJob, Kubeflow conditions, phases) and user-configured success/failure
 * {@link dev.launchkit.k8s.monitor.status.StatusExpression}s, looked up in
 * {@link dev.launchkit.k8s.monitor.status.StatusMappers}.
 */
package dev.launchkit.k8s.monitor.status;
