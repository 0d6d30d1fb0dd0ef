package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.SimulatedRuns.end;
import static dev.launchkit.k8s.monitor.SimulatedRuns.job;
import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SubmittedRun;
import io.kubernetes.client.openapi.ApiClient;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the pod watch lags, the re-read of a failed run's pods decides its outcome (the reason, and preempted rather
 * than failed for an evicted pod). A transient error on that read must be retried, not turned into the Job-level
 * reason. Found by the API-fault reliability suite (a 500 on the read reported an OOMKilled run as
 * BackoffLimitExceeded and an evicted run as failed).
 */
class PodReadRetryTest {
    private SimulatedRuns sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    /**
     * A client whose pod watches always get 503 (so the monitor never sees the pods change) and whose first
     * {@code failReads} reads of one run's pods get 503 too.
     */
    private ApiClient podFaults(int failReads, AtomicInteger reads) {
        Interceptor faults = chain -> {
            Request req = chain.request();
            String selector = req.url().queryParameter("labelSelector");
            boolean pods = req.url().encodedPath().endsWith("/pods");
            boolean watch = "true".equals(req.url().queryParameter("watch"));
            boolean runRead = pods && !watch && selector != null && selector.contains("job-name=");
            if (pods && watch || runRead && reads.incrementAndGet() <= failReads) {
                return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(503)
                        .message("Service Unavailable").header("Retry-After", "1")
                        .body(ResponseBody.create("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"reason\":\"ServiceUnavailable\",\"code\":503}", MediaType.get("application/json")))
                        .build();
            }
            return chain.proceed(req);
        };
        ApiClient client = new ApiClient().setBasePath(sim.cluster.url());
        client.setHttpClient(sim.cluster.apiClient().getHttpClient().newBuilder().addInterceptor(faults).build());
        return client;
    }

    @Test
    void anOomKilledRunWhosePodReadFirstGets503IsStillReportedAsOomKilled() throws Exception {
        sim = new SimulatedRuns();
        AtomicInteger reads = new AtomicInteger();
        SubmittedRun run = sim.runner(podFaults(2, reads)).submit(job("oomread1", "oom"), IMAGE);

        RunStatus status = end(run);

        assertThat(reads.get()).as("reads of the run's pods").isGreaterThan(2);
        assertThat(status.state()).isEqualTo(RunState.FAILED);
        assertThat(status.reason()).isEqualTo("OOMKilled");
    }

    @Test
    void anEvictedRunWhosePodReadFirstGets503IsStillReportedAsPreempted() throws Exception {
        sim = new SimulatedRuns();
        AtomicInteger reads = new AtomicInteger();
        SubmittedRun run = sim.runner(podFaults(2, reads)).submit(job("evictrd1", "evicted"), IMAGE);

        RunStatus status = end(run);

        assertThat(reads.get()).as("reads of the run's pods").isGreaterThan(2);
        assertThat(status.state()).isEqualTo(RunState.PREEMPTED);
    }

    @Test
    void theReportedMarkIsStillSetWhenItsFirstPatchesGet503() throws Exception {
        sim = new SimulatedRuns();
        AtomicInteger patches = new AtomicInteger();
        Interceptor faults = chain -> {
            Request req = chain.request();
            if ("PATCH".equals(req.method()) && req.url().encodedPath().contains("/jobs/")
                    && patches.incrementAndGet() <= 2) {
                return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(503)
                        .message("Service Unavailable").body(ResponseBody.create("{\"kind\":\"Status\","
                                + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":503}",
                                MediaType.get("application/json"))).build();
            }
            return chain.proceed(req);
        };
        ApiClient client = new ApiClient().setBasePath(sim.cluster.url());
        client.setHttpClient(sim.cluster.apiClient().getHttpClient().newBuilder().addInterceptor(faults).build());
        SubmittedRun run = sim.runner(client).submit(job("markrd01", "succeed"), IMAGE);
        assertThat(end(run).state()).isEqualTo(RunState.SUCCEEDED);

        run.markReported();

        assertThat(patches.get()).as("the mark's patches").isGreaterThan(2);
        assertThat(new io.kubernetes.client.openapi.apis.BatchV1Api(sim.cluster.apiClient())
                .readNamespacedJob("launch-markrd01", SimulatedRuns.NAMESPACE).execute().getMetadata()
                .getAnnotations()).containsKey(KubernetesRunMonitor.REPORTED_ANNOTATION);
    }
}
