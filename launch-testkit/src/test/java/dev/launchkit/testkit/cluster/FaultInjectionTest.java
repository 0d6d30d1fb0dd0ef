package dev.launchkit.testkit.cluster;

import static dev.launchkit.testkit.cluster.Jobs.await;
import static dev.launchkit.testkit.cluster.Jobs.condition;
import static dev.launchkit.testkit.cluster.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobList;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Faults injected into clients' requests, for the reliability suites (issue 9). */
class FaultInjectionTest {
    private SimulatedCluster cluster;
    private BatchV1Api batch;
    private CoreV1Api core;

    @BeforeEach
    void start() throws ApiException {
        cluster = SimulatedCluster.start(Duration.ofMillis(30));
        batch = new BatchV1Api(cluster.apiClient());
        core = new CoreV1Api(cluster.apiClient());
        cluster.createNamespace("ns1");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private V1Status status(ApiException e) {
        return cluster.apiClient().getJSON().deserialize(e.getResponseBody(), V1Status.class);
    }

    @Test
    void injectedServerErrorComesAsAKubernetesStatus() {
        cluster.injectFaults(Faults.builder().errorRate(1.0).statuses(500).build());

        ApiException e = catchThrowableOfType(ApiException.class, () -> core.listNamespacedPod("ns1").execute());

        assertThat(e.getCode()).isEqualTo(500);
        V1Status status = status(e);
        assertThat(status.getKind()).isEqualTo("Status");
        assertThat(status.getCode()).isEqualTo(500);
        assertThat(status.getReason()).isEqualTo("InternalError");
        assertThat(cluster.faultCounts().statuses()).containsEntry(500, 1L);
    }

    @Test
    void injectedTooManyRequestsCarriesRetryAfter() {
        cluster.injectFaults(Faults.builder().errorRate(1.0).statuses(429).build());

        ApiException e = catchThrowableOfType(ApiException.class,
                () -> batch.createNamespacedJob("ns1", job("throttled", "succeed")).execute());

        assertThat(e.getCode()).isEqualTo(429);
        assertThat(e.getResponseHeaders().get("Retry-After")).containsExactly("1");
        assertThat(status(e).getReason()).isEqualTo("TooManyRequests");
    }

    @Test
    void errorRateFailsAboutThatShareOfRequestsReproduciblyForASeed() throws Exception {
        Faults faults = Faults.builder().errorRate(0.3).statuses(500, 503, 429).seed(42).build();
        cluster.injectFaults(faults);
        List<Integer> first = outcomes(200);
        cluster.injectFaults(faults);
        List<Integer> second = outcomes(200);

        long failed = first.stream().filter(c -> c != 200).count();
        assertThat(failed).isBetween(30L, 90L);
        assertThat(first).isEqualTo(second);
        assertThat(cluster.faultCounts().errors()).isEqualTo(failed);
        assertThat(cluster.faultCounts().statuses().keySet()).containsExactlyInAnyOrder(500, 503, 429);
        cluster.clearFaults();
        assertThat(outcomes(50)).containsOnly(200);
        assertThat(cluster.faultCounts().errors()).isEqualTo(failed);
    }

    private List<Integer> outcomes(int requests) {
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            try {
                core.listNamespacedConfigMap("ns1").execute();
                codes.add(200);
            } catch (ApiException e) {
                codes.add(e.getCode());
            }
        }
        return codes;
    }

    @Test
    void theSimulatorKeepsWorkingWhileClientsGetErrors() throws Exception {
        batch.createNamespacedJob("ns1", job("steady", "succeed")).execute();
        cluster.injectFaults(Faults.builder().errorRate(1.0).statuses(503).build());
        assertThatThrownBy(() -> batch.readNamespacedJob("steady", "ns1").execute()).isInstanceOf(ApiException.class);
        TimeUnit.SECONDS.sleep(1); // ~30 simulation steps while every client request fails; a Job needs 3

        cluster.clearFaults();

        assertThat(condition(batch.readNamespacedJob("steady", "ns1").execute(), "Complete")).isPresent();
    }

    @Test
    void droppedWatchesEndTheClientStreamAndAreCounted() throws Exception {
        cluster.injectFaults(Faults.builder().dropWatchesEvery(Duration.ofMillis(200)).build());
        long started = System.nanoTime();
        try (Watch<V1Job> watch = Watch.createWatch(cluster.apiClient(),
                batch.listNamespacedJob("ns1").watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1Job>>() { }.getType())) {
            while (watch.hasNext()) {
                watch.next();
            }
        }

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(cluster.faultCounts().droppedWatches()).isGreaterThanOrEqualTo(1);
        assertThat(cluster.openWatchCount()).isZero();
    }

    @Test
    void anInformerRecoversFromDroppedWatchesAndSeesLaterJobs() throws Exception {
        cluster.injectFaults(Faults.builder().dropWatchesEvery(Duration.ofMillis(300)).build());

        try (JobInformer informer = new JobInformer()) {
            await(() -> cluster.faultCounts().droppedWatches() >= 2, Duration.ofSeconds(20));
            batch.createNamespacedJob("ns1", job("after-drops", "succeed")).execute();

            await(() -> informer.complete.contains("after-drops"), Duration.ofSeconds(20));
            assertThat(cluster.watchOpenedTotal()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void anInformerRecoversWhenItsResumedWatchesAreExpired() throws Exception {
        batch.createNamespacedJob("ns1", job("before", "succeed")).execute();
        cluster.injectFaults(Faults.builder().dropWatchesEvery(Duration.ofMillis(300)).goneOnResume(true).build());

        try (JobInformer informer = new JobInformer()) {
            await(() -> informer.complete.contains("before"), Duration.ofSeconds(20));
            await(() -> cluster.faultCounts().expiredWatches() >= 1, Duration.ofSeconds(20));
            batch.createNamespacedJob("ns1", job("after-expiry", "succeed")).execute();

            await(() -> informer.complete.contains("after-expiry"), Duration.ofSeconds(20));
        }
    }

    /** A Job informer of the official client, on a copy of the cluster's client without read timeout. */
    private final class JobInformer implements AutoCloseable {
        final Set<String> complete = ConcurrentHashMap.newKeySet();
        private final SharedInformerFactory factory;

        JobInformer() {
            // informers insist on no read timeout; the copy keeps the cluster's watch bridge
            ApiClient client = new ApiClient().setBasePath(cluster.url());
            client.setHttpClient(cluster.apiClient().getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
            factory = new SharedInformerFactory(client);
            SharedIndexInformer<V1Job> informer = factory.sharedIndexInformerFor(new GenericKubernetesApi<>(
                    V1Job.class, V1JobList.class, "batch", "v1", "jobs", client), V1Job.class, 0L, "ns1");
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(V1Job job) {
                    onUpdate(null, job);
                }

                @Override
                public void onUpdate(V1Job old, V1Job job) {
                    if (condition(job, "Complete").isPresent()) {
                        complete.add(job.getMetadata().getName());
                    }
                }

                @Override
                public void onDelete(V1Job job, boolean unknown) {
                    complete.remove(job.getMetadata().getName());
                }
            });
            factory.startAllRegisteredInformers();
        }

        @Override
        public void close() {
            factory.stopAllRegisteredInformers();
        }
    }

    @Test
    void aWatchResumingFromAResourceVersionGetsGoneOnceForThatVersion() throws Exception {
        cluster.injectFaults(Faults.builder().goneOnResume(true).build());
        var type = new TypeToken<Watch.Response<V1Job>>() { }.getType();

        String listed = batch.listNamespacedJob("ns1").execute().getMetadata().getResourceVersion();
        Watch.Response<V1Job> first;
        try (Watch<V1Job> watch = Watch.createWatch(cluster.apiClient(),
                batch.listNamespacedJob("ns1").watch(true).resourceVersion(listed).buildCall(null), type)) {
            first = watch.next();
            assertThat(watch.hasNext()).isFalse();
        }
        assertThat(first.type).isEqualTo("ERROR");
        assertThat(first.status.getCode()).isEqualTo(410);
        assertThat(first.status.getReason()).isEqualTo("Expired");
        assertThat(cluster.faultCounts().expiredWatches()).isEqualTo(1);

        batch.createNamespacedJob("ns1", job("fresh", "manual")).execute(); // no simulator updates to race the replay
        try (Watch<V1Job> again = Watch.createWatch(cluster.apiClient(),
                batch.listNamespacedJob("ns1").watch(true).resourceVersion(listed).buildCall(null), type)) {
            Watch.Response<V1Job> replayed = again.next();
            assertThat(replayed.type).isEqualTo("ADDED");
            assertThat(replayed.object.getMetadata().getName()).isEqualTo("fresh");
        }
    }

    @Test
    void badFaultSettingsAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> Faults.builder().errorRate(1.5).build()).hasMessageContaining("errorRate");
        assertThatThrownBy(() -> Faults.builder().errorRate(0.5).build()).hasMessageContaining("statuses");
        assertThatThrownBy(() -> Faults.builder().errorRate(0.5).statuses(200).build()).hasMessageContaining("200");
        assertThatThrownBy(() -> Faults.builder().dropWatchesEvery(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("dropWatchesEvery");
    }
}
