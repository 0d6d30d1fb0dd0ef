/** One list-and-watch loop per resource type and namespace, with resourceVersion resume and relist on 410 Gone. */
package dev.launchkit.k8s.monitor.watch;
