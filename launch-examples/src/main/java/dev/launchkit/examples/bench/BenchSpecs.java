package dev.launchkit.examples.bench;

import dev.launchkit.core.LaunchSpec;
import dev.launchkit.testkit.cluster.SimulatedCluster;

/** Launch specs for the Kubernetes benchmarks: an image job in a namespace, its simulated pods doing a scenario. */
final class BenchSpecs {
    private BenchSpecs() {
    }

    static LaunchSpec spec(String runId, String namespace, String scenario) {
        return LaunchSpec.parse("{\"entity\":\"bench\",\"project\":\"bench\",\"run_id\":\"" + runId + "\","
                + "\"resource\":\"kubernetes\",\"docker\":{\"docker_image\":\"python:3.11\"},"
                + "\"resource_args\":{\"kubernetes\":{\"metadata\":{\"namespace\":\"" + namespace + "\"},"
                + "\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + SimulatedCluster.SCENARIO_ANNOTATION
                + "\":\"" + scenario + "\"}}}}}}}");
    }
}
