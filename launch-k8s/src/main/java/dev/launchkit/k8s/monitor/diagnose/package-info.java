/** Why pods do not start or die: {@link dev.launchkit.k8s.monitor.diagnose.PodDiagnostics} turns pod status into findings. */
package dev.launchkit.k8s.monitor.diagnose;
