package dev.launchkit.testkit.cluster;

import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Test helpers: Job manifests, polling with a deadline, reads through the official client. */
final class Jobs {
    private Jobs() {
    }

    /** A Job in ns1 with one container, backoffLimit 0 and the given annotations on its pod template. */
    static V1Job job(String name, Map<String, String> templateAnnotations) {
        return new V1Job().apiVersion("batch/v1").kind("Job").metadata(new V1ObjectMeta().name(name).namespace("ns1"))
                .spec(new V1JobSpec().backoffLimit(0).template(new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(Map.of("app", "train"))
                                .annotations(new HashMap<>(templateAnnotations)))
                        .spec(new V1PodSpec().restartPolicy("Never").containers(List.of(
                                new V1Container().name("launch0").image("busybox"))))));
    }

    static V1Job job(String name, String scenario) {
        return job(name, Map.of(SimulatedCluster.SCENARIO_ANNOTATION, scenario));
    }

    /** Polls until the probe returns non-null (or true), failing after the timeout. */
    static <T> T await(Callable<T> probe, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.call();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(20); // poll interval, bounded by the deadline
        }
    }

    /** The Job's Complete or Failed condition, once it has one. */
    static V1JobCondition terminal(BatchV1Api batch, String name) throws Exception {
        return await(() -> condition(batch.readNamespacedJob(name, "ns1").execute(), "Complete", "Failed")
                .orElse(null), Duration.ofSeconds(20));
    }

    static Optional<V1JobCondition> condition(V1Job job, String... types) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        List<String> wanted = List.of(types);
        return job.getStatus().getConditions().stream().filter(c -> wanted.contains(c.getType()))
                .filter(c -> "True".equals(c.getStatus())).findFirst();
    }

    static List<V1Pod> pods(CoreV1Api core, String jobName) throws Exception {
        return core.listNamespacedPod("ns1").labelSelector("job-name=" + jobName).execute().getItems();
    }

    /** The Job's single pod once it satisfies the check. */
    static V1Pod podWhere(CoreV1Api core, String jobName, java.util.function.Predicate<V1Pod> check)
            throws Exception {
        return await(() -> pods(core, jobName).stream().filter(p -> p.getStatus() != null && check.test(p))
                .findFirst().orElse(null), Duration.ofSeconds(20));
    }
}
