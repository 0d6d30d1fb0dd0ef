package dev.launchkit.testkit.cluster;

import static dev.launchkit.testkit.cluster.Jobs.await;
import static dev.launchkit.testkit.cluster.Jobs.condition;
import static dev.launchkit.testkit.cluster.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The simulator keeps up with many Jobs (issue 9's benchmarks create thousands). */
class ScaleTest {
    /** Override with -Dsim.scale.jobs=10000 to try the benchmark size by hand. */
    private static final int JOBS = Integer.getInteger("sim.scale.jobs", 1_000);

    @Test
    void aThousandJobsAllComplete() throws Exception {
        try (SimulatedCluster cluster = SimulatedCluster.start()) {
            BatchV1Api batch = new BatchV1Api(cluster.apiClient());
            long t0 = System.nanoTime();
            for (int i = 0; i < JOBS; i++) {
                batch.createNamespacedJob("ns1", job("bulk-" + i, "succeed")).execute();
            }
            long created = System.nanoTime();

            await(() -> batch.listNamespacedJob("ns1").execute().getItems().stream()
                    .filter(j -> condition(j, "Complete").isPresent()).count() == JOBS, Duration.ofSeconds(120 + JOBS / 20),
                    Duration.ofMillis(500));
            long done = System.nanoTime();
            System.out.printf("%d Jobs: created in %d ms, all Complete %d ms later%n", JOBS,
                    (created - t0) / 1_000_000, (done - created) / 1_000_000);

            assertThat(new CoreV1Api(cluster.apiClient()).listNamespacedPod("ns1").execute().getItems())
                    .hasSize(JOBS).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Succeeded"));
            V1Job any = batch.readNamespacedJob("bulk-" + (JOBS / 2), "ns1").execute();
            assertThat(any.getStatus().getSucceeded()).isEqualTo(1);
        }
    }
}
