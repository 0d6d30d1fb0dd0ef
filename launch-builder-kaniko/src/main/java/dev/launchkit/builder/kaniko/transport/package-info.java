/** Handing build contexts to the Kaniko pod: through an object store, or through a PersistentVolumeClaim. */
package dev.launchkit.builder.kaniko.transport;
