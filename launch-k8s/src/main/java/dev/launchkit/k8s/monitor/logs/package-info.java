/** Keeping the end of pod logs for failure messages. */
package dev.launchkit.k8s.monitor.logs;
