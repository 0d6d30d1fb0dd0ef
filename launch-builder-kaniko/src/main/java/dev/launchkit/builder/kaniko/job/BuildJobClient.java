package dev.launchkit.builder.kaniko.job;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and deletes the objects of one build with the official Kubernetes client: companions (docker config
 * Secret or credential-helper ConfigMap) first, then the Job, then an ownerReference from each companion to the Job
 * so that Kubernetes' garbage collector removes them with it even if the agent dies mid-build.
 *
 * <p>Thread-safe (stateless apart from the client).
 */
public final class BuildJobClient {
    private static final Logger LOG = LoggerFactory.getLogger(BuildJobClient.class);
    private static final String BACKGROUND = "Background";
    private final ApiClient client;
    private final BatchV1Api batch;
    private final CoreV1Api core;
    private final Clock clock;

    public BuildJobClient(ApiClient client, Clock clock) {
        this.client = client;
        this.batch = new BatchV1Api(client);
        this.core = new CoreV1Api(client);
        this.clock = clock;
    }

    /**
     * Creates the build's objects. A Job of the same name left by an earlier attempt of the same run is deleted
     * first (its pod may be pushing an image of another source); companions left behind are replaced.
     *
     * @return the created Job, with its uid
     * @throws LaunchException at stage {@link Stage#BUILD} naming the object and what the API server said
     */
    public V1Job create(RenderedBuild build) {
        V1Job job = build.job();
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        try {
            for (V1Secret s : build.secrets()) {
                replaceSecret(ns, s);
            }
            for (V1ConfigMap cm : build.configMaps()) {
                replaceConfigMap(ns, cm);
            }
            V1Job created;
            try {
                created = batch.createNamespacedJob(ns, job).execute();
            } catch (ApiException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                LOG.info("build Job {}/{} exists from an earlier attempt; deleting it first", ns, name);
                deleteJob(ns, name);
                awaitJobGone(ns, name, Duration.ofSeconds(60));
                created = batch.createNamespacedJob(ns, job).execute();
            }
            String ownerRef = "[{\"op\":\"add\",\"path\":\"/metadata/ownerReferences\",\"value\":[{\"apiVersion\":\"batch/v1\","
                    + "\"kind\":\"Job\",\"name\":\"" + name + "\",\"uid\":\"" + created.getMetadata().getUid()
                    + "\",\"blockOwnerDeletion\":false,\"controller\":false}]}]";
            for (V1Secret s : build.secrets()) {
                PatchUtils.patch(V1Secret.class, () -> core.patchNamespacedSecret(s.getMetadata().getName(), ns,
                        new V1Patch(ownerRef)).buildCall(null), V1Patch.PATCH_FORMAT_JSON_PATCH, client);
            }
            for (V1ConfigMap cm : build.configMaps()) {
                PatchUtils.patch(V1ConfigMap.class, () -> core.patchNamespacedConfigMap(cm.getMetadata().getName(), ns,
                        new V1Patch(ownerRef)).buildCall(null), V1Patch.PATCH_FORMAT_JSON_PATCH, client);
            }
            return created;
        } catch (ApiException e) {
            deleteQuietly(build);
            throw new LaunchException(Stage.BUILD, "could not create the Kaniko build Job " + ns + "/" + name + ": HTTP "
                    + e.getCode() + " " + reason(e) + hint(e.getCode()), e);
        }
    }

    /**
     * Deletes the Job (with background propagation, so its pod goes too; W&B's default orphans it) and its
     * companions. Missing objects are fine.
     *
     * @return problems met, for a warning; empty when everything was deleted
     */
    public List<String> delete(RenderedBuild build) {
        List<String> problems = new ArrayList<>();
        String ns = build.job().getMetadata().getNamespace();
        try {
            deleteJob(ns, build.job().getMetadata().getName());
        } catch (ApiException e) {
            problems.add("Job " + ns + "/" + build.job().getMetadata().getName() + ": HTTP " + e.getCode() + " " + reason(e));
        }
        for (V1Secret s : build.secrets()) {
            try {
                ignoreNotFound(() -> core.deleteNamespacedSecret(s.getMetadata().getName(), ns).execute());
            } catch (ApiException e) {
                problems.add("Secret " + ns + "/" + s.getMetadata().getName() + ": HTTP " + e.getCode() + " " + reason(e));
            }
        }
        for (V1ConfigMap cm : build.configMaps()) {
            try {
                ignoreNotFound(() -> core.deleteNamespacedConfigMap(cm.getMetadata().getName(), ns).execute());
            } catch (ApiException e) {
                problems.add("ConfigMap " + ns + "/" + cm.getMetadata().getName() + ": HTTP " + e.getCode() + " " + reason(e));
            }
        }
        return problems;
    }

    /**
     * The logs of the build Job's pods (the W&B agent reads them once the build succeeded, to look for packages that
     * failed to install), at most {@code limitBytes} per pod. Pods or logs that cannot be read are skipped.
     */
    public String podLogs(String namespace, String jobName, int limitBytes) {
        StringBuilder out = new StringBuilder();
        try {
            for (var pod : core.listNamespacedPod(namespace).labelSelector("job-name=" + jobName).execute().getItems()) {
                try {
                    String log = core.readNamespacedPodLog(pod.getMetadata().getName(), namespace)
                            .limitBytes(limitBytes).execute();
                    out.append(log == null ? "" : log);
                } catch (ApiException e) {
                    LOG.debug("no log from build pod {}/{}: HTTP {}", namespace, pod.getMetadata().getName(), e.getCode());
                }
            }
        } catch (ApiException e) {
            LOG.debug("could not list the pods of build Job {}/{}: HTTP {}", namespace, jobName, e.getCode());
        }
        return out.toString();
    }

    /** Whether a Secret exists; {@code true} when the agent may not read Secrets there (RBAC), to let Kubernetes tell. */
    public boolean secretExists(String namespace, String name) {
        try {
            core.readNamespacedSecret(name, namespace).execute();
            return true;
        } catch (ApiException e) {
            return e.getCode() != 404;
        }
    }

    private void deleteQuietly(RenderedBuild build) {
        List<String> problems = delete(build);
        if (!problems.isEmpty()) {
            LOG.warn("could not clean up after a failed build submission: {}", problems);
        }
    }

    private void deleteJob(String ns, String name) throws ApiException {
        ignoreNotFound(() -> batch.deleteNamespacedJob(name, ns).propagationPolicy(BACKGROUND).execute());
    }

    private void awaitJobGone(String ns, String name, Duration timeout) throws ApiException {
        Instant deadline = clock.instant().plus(timeout);
        long pause = 100;
        while (clock.instant().isBefore(deadline)) {
            try {
                batch.readNamespacedJob(name, ns).execute();
            } catch (ApiException e) {
                if (e.getCode() == 404) {
                    return;
                }
                throw e;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new LaunchException(Stage.BUILD, "interrupted while waiting for the old build Job " + ns + "/"
                        + name + " to go");
            }
            pause = Math.min(pause * 2, 2000);
        }
        throw new LaunchException(Stage.BUILD, "the build Job " + ns + "/" + name + " of an earlier attempt was "
                + "deleted but is still there after " + timeout.toSeconds() + " s (a finalizer?); delete it by hand");
    }

    private void replaceSecret(String ns, V1Secret s) throws ApiException {
        try {
            core.createNamespacedSecret(ns, s).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            ignoreNotFound(() -> core.deleteNamespacedSecret(s.getMetadata().getName(), ns).execute());
            core.createNamespacedSecret(ns, s).execute();
        }
    }

    private void replaceConfigMap(String ns, V1ConfigMap cm) throws ApiException {
        try {
            core.createNamespacedConfigMap(ns, cm).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            ignoreNotFound(() -> core.deleteNamespacedConfigMap(cm.getMetadata().getName(), ns).execute());
            core.createNamespacedConfigMap(ns, cm).execute();
        }
    }

    private interface ApiCall {
        Object call() throws ApiException;
    }

    private static void ignoreNotFound(ApiCall call) throws ApiException {
        try {
            call.call();
        } catch (ApiException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static String reason(ApiException e) {
        String body = e.getResponseBody();
        if (body != null) {
            int i = body.indexOf("\"message\":\"");
            if (i >= 0) {
                int end = body.indexOf('"', i + 11);
                if (end > i) {
                    return body.substring(i + 11, end);
                }
            }
        }
        return e.getMessage() == null ? "" : e.getMessage();
    }

    private static String hint(int code) {
        return switch (code) {
            case 401 -> "; the agent's Kubernetes credentials were refused";
            case 403 -> "; the agent's service account may not create Jobs, Secrets or ConfigMaps in that namespace "
                    + "(check its Role)";
            case 404 -> "; does the namespace exist?";
            case 422 -> "; the Job is invalid, check builder.kaniko-config";
            default -> "";
        };
    }
}
