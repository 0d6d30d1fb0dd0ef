package dev.launchkit.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a client of the official library sees from the cluster's in-process watches: a real API server's rules. */
class WatchSemanticsTest {
    private static final java.lang.reflect.Type CONFIG_MAP_EVENTS =
            new com.google.gson.reflect.TypeToken<Watch.Response<V1ConfigMap>>() { }.getType();
    private static final int HISTORY = 200;
    private SimulatedCluster cluster;
    private CoreV1Api core;

    @BeforeEach
    void start() throws ApiException {
        cluster = SimulatedCluster.start(Duration.ofMillis(50), HISTORY);
        core = new CoreV1Api(cluster.apiClient());
        cluster.createNamespace("ns1");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private V1ConfigMap put(String name, String value) throws ApiException {
        return core.createNamespacedConfigMap("ns1", new V1ConfigMap().apiVersion("v1").kind("ConfigMap")
                .metadata(new V1ObjectMeta().name(name).labels(Map.of("app", "w"))).data(Map.of("v", value)))
                .execute();
    }

    /** Reads events on a thread of its own, so a test can wait for them with a deadline. */
    private BlockingQueue<Watch.Response<V1ConfigMap>> events(Watch<V1ConfigMap> watch) {
        BlockingQueue<Watch.Response<V1ConfigMap>> out = new ArrayBlockingQueue<>(1000);
        Thread reader = new Thread(() -> {
            try {
                for (Watch.Response<V1ConfigMap> e : watch) {
                    out.add(e);
                }
            } catch (RuntimeException e) {
                // the watch was closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        return out;
    }

    private static String describe(Watch.Response<V1ConfigMap> e) {
        return e == null ? "none" : e.type + " " + e.object.getMetadata().getName();
    }

    private static List<String> take(BlockingQueue<Watch.Response<V1ConfigMap>> events, int n)
            throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seen.add(describe(events.poll(10, TimeUnit.SECONDS)));
        }
        return seen;
    }

    @Test
    void aWatchWithoutResourceVersionStartsWithAddedForWhatExistsThenFollowsChanges() throws Exception {
        put("a", "1");
        try (Watch<V1ConfigMap> watch = Watch.createWatch(cluster.apiClient(),
                core.listNamespacedConfigMap("ns1").watch(true).buildCall(null), CONFIG_MAP_EVENTS)) {
            BlockingQueue<Watch.Response<V1ConfigMap>> events = events(watch);
            assertThat(take(events, 1)).containsExactly("ADDED a");
            put("b", "2");
            core.deleteNamespacedConfigMap("a", "ns1").execute();
            assertThat(take(events, 2)).containsExactly("ADDED b", "DELETED a");
        }
    }

    @Test
    void aWatchResumingFromAResourceVersionGetsOnlyTheChangesAfterIt() throws Exception {
        put("before", "1");
        String listed = core.listNamespacedConfigMap("ns1").execute().getMetadata().getResourceVersion();
        put("after", "2");
        V1ConfigMap replaced = core.readNamespacedConfigMap("after", "ns1").execute().data(Map.of("v", "3"));
        core.replaceNamespacedConfigMap("after", "ns1", replaced).execute();

        try (Watch<V1ConfigMap> watch = Watch.createWatch(cluster.apiClient(),
                core.listNamespacedConfigMap("ns1").watch(true).resourceVersion(listed).buildCall(null),
                CONFIG_MAP_EVENTS)) {
            BlockingQueue<Watch.Response<V1ConfigMap>> events = events(watch);
            assertThat(take(events, 2)).containsExactly("ADDED after", "MODIFIED after");
            assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("nothing about 'before'").isNull();
        }
    }

    @Test
    void aDeletionIsSentWithANewerResourceVersionSoAResumeAfterItDoesNotReplayIt() throws Exception {
        V1ConfigMap created = put("gone", "1");
        try (Watch<V1ConfigMap> watch = Watch.createWatch(cluster.apiClient(),
                core.listNamespacedConfigMap("ns1").watch(true).buildCall(null), CONFIG_MAP_EVENTS)) {
            BlockingQueue<Watch.Response<V1ConfigMap>> events = events(watch);
            take(events, 1);
            core.deleteNamespacedConfigMap("gone", "ns1").execute();
            Watch.Response<V1ConfigMap> deleted = events.poll(10, TimeUnit.SECONDS);
            assertThat(describe(deleted)).isEqualTo("DELETED gone");
            String at = deleted.object.getMetadata().getResourceVersion();
            assertThat(Long.parseLong(at)).isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));

            try (Watch<V1ConfigMap> resumed = Watch.createWatch(cluster.apiClient(),
                    core.listNamespacedConfigMap("ns1").watch(true).resourceVersion(at).buildCall(null),
                    CONFIG_MAP_EVENTS)) {
                BlockingQueue<Watch.Response<V1ConfigMap>> later = events(resumed);
                put("next", "2");
                assertThat(take(later, 1)).containsExactly("ADDED next");
            }
        }
    }

    @Test
    void aResumeFromBeforeTheWatchHistoryGetsExpiredAsAnErrorEvent() throws Exception {
        String first = put("c0", "0").getMetadata().getResourceVersion();
        V1ConfigMap cm = core.readNamespacedConfigMap("c0", "ns1").execute();
        // Outgrow the history with updates of one object.
        for (int i = 1; i <= HISTORY + 10; i++) {
            cm = core.replaceNamespacedConfigMap("c0", "ns1", cm.data(Map.of("v", Integer.toString(i)))).execute();
        }
        try (Watch<V1ConfigMap> watch = Watch.createWatch(cluster.apiClient(),
                core.listNamespacedConfigMap("ns1").watch(true).resourceVersion(first).buildCall(null),
                CONFIG_MAP_EVENTS)) {
            Watch.Response<V1ConfigMap> event = watch.next();
            assertThat(event.type).isEqualTo("ERROR");
            assertThat(event.status.getCode()).isEqualTo(410);
            assertThat(event.status.getReason()).isEqualTo("Expired");
        }
    }

    @Test
    void aLabelSelectorOrNameFieldSelectorNarrowsTheEvents() throws Exception {
        put("x", "1");
        try (Watch<V1ConfigMap> byName = Watch.createWatch(cluster.apiClient(),
                core.listNamespacedConfigMap("ns1").watch(true).fieldSelector("metadata.name=y").buildCall(null),
                CONFIG_MAP_EVENTS);
             Watch<V1ConfigMap> byLabel = Watch.createWatch(cluster.apiClient(),
                     core.listNamespacedConfigMap("ns1").watch(true).labelSelector("app=other").buildCall(null),
                     CONFIG_MAP_EVENTS)) {
            BlockingQueue<Watch.Response<V1ConfigMap>> named = events(byName);
            BlockingQueue<Watch.Response<V1ConfigMap>> labelled = events(byLabel);
            put("y", "2");
            assertThat(take(named, 1)).containsExactly("ADDED y");
            assertThat(labelled.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void theServerEndsAWatchAfterItsTimeoutSecondsWithACleanEndOfStream() throws Exception {
        Call call = core.listNamespacedConfigMap("ns1").watch(true).timeoutSeconds(1).buildCall(null);
        long started = System.nanoTime();
        try (Response response = call.execute()) {
            assertThat(cluster.openWatchCount()).isEqualTo(1);
            assertThat(response.body().source().exhausted()).isTrue();
        } catch (IOException e) {
            throw new AssertionError("the stream must end cleanly, not fail", e);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(cluster.openWatchCount()).isZero();
    }

    @Test
    void closingManyWatchesWhileEventsFlowNeverStallsOtherRequests() throws Exception {
        List<Watch<V1ConfigMap>> open = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Watch<V1ConfigMap> w = Watch.createWatch(cluster.apiClient(),
                    core.listNamespacedConfigMap("ns1").watch(true).buildCall(null), CONFIG_MAP_EVENTS);
            events(w);
            open.add(w);
        }
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 300; i++) {
                    put("burst-" + i, "x");
                }
            } catch (ApiException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        for (Watch<V1ConfigMap> w : open) {
            w.close();
        }
        writer.join(TimeUnit.SECONDS.toMillis(20));
        // fabric8's own watch path froze the server for 30 s here; a liveness deadline, not a speed target
        assertThat(writer.isAlive()).as("writes finished while watches closed under them").isFalse();
        assertThat(core.listNamespacedConfigMap("ns1").execute().getItems()).hasSize(300);
        assertThat(cluster.openWatchCount()).isZero();
    }
}
