/**
 * Following submitted runs on Kubernetes: {@link dev.launchkit.k8s.monitor.KubernetesRunMonitor} (shared watches,
 * status, warnings, start timeout, cancel, logs, re-adoption) and its {@link dev.launchkit.k8s.monitor.MonitorSettings}.
 */
package dev.launchkit.k8s.monitor;
