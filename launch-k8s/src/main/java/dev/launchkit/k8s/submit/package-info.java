/**
 * Submission: creating rendered runs with the official Kubernetes client (Secrets, then the Job or custom
 * resource under the plural API discovery reports, then owner references), idempotent by name (409 adopts the
 * run's own object), with retries on transient failures and errors that quote the server
 * ({@link dev.launchkit.k8s.submit.KubeSubmitter}); and connecting through a kubeconfig or the in-cluster service
 * account ({@link dev.launchkit.k8s.submit.KubeConnection}).
 */
package dev.launchkit.k8s.submit;
