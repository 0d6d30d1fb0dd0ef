package dev.launchkit.examples.reliability;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobList;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every Job ever created for a queue item in one namespace, by the item annotation, seen through a list-then-watch
 * of the official client. Counting the Jobs that exist at the end is not enough: a finished Job is deleted after its
 * {@code ttlSecondsAfterFinished}, and a workload that runs longer than that would see its runs vanish.
 */
final class JobLedger implements AutoCloseable {
    private static final Type EVENTS = new com.google.gson.reflect.TypeToken<Watch.Response<V1Job>>() { }.getType();
    private final BatchV1Api batch;
    private final String namespace;
    private final Map<String, Set<String>> jobsByItem = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Watch<V1Job> current;

    private JobLedger(ApiClient client, String namespace) {
        // A quiet watch must not time out on the client side before the server ends it.
        ApiClient patient = new ApiClient().setBasePath(client.getBasePath());
        patient.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ofMinutes(5)).build());
        this.batch = new BatchV1Api(patient);
        this.namespace = namespace;
        this.thread = new Thread(this::loop, "job-ledger-" + namespace);
        this.thread.setDaemon(true);
    }

    /** Starts recording; returns once the first list is in. */
    static JobLedger start(ApiClient client, String namespace) throws ApiException {
        JobLedger ledger = new JobLedger(client, namespace);
        ledger.record(ledger.batch.listNamespacedJob(namespace).execute());
        ledger.thread.start();
        return ledger;
    }

    private void loop() {
        while (!closed) {
            try {
                String rv = record(batch.listNamespacedJob(namespace).execute());
                try (Watch<V1Job> w = Watch.createWatch(batch.getApiClient(), batch.listNamespacedJob(namespace)
                        .watch(true).resourceVersion(rv).timeoutSeconds(60).buildCall(null), EVENTS)) {
                    current = w;
                    for (Watch.Response<V1Job> e : w) {
                        if (e.object != null && !"ERROR".equals(e.type)) {
                            record(e.object);
                        }
                    }
                }
            } catch (ApiException | IOException | RuntimeException e) {
                if (!closed) {
                    pause();
                }
            }
        }
    }

    private String record(V1JobList list) {
        list.getItems().forEach(this::record);
        return list.getMetadata().getResourceVersion();
    }

    private void record(V1Job job) {
        Map<String, String> a = job.getMetadata().getAnnotations();
        String item = a == null ? null : a.get(Workload.ITEM_ANNOTATION);
        if (item != null) {
            jobsByItem.computeIfAbsent(item, k -> ConcurrentHashMap.newKeySet()).add(job.getMetadata().getName());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Distinct Jobs seen per item id, deleted ones included; lists once more first to catch the latest. */
    Map<String, Integer> jobsPerItem() throws ApiException {
        record(batch.listNamespacedJob(namespace).execute());
        Map<String, Integer> out = new HashMap<>();
        jobsByItem.forEach((item, names) -> out.put(item, names.size()));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        Watch<V1Job> w = current;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
