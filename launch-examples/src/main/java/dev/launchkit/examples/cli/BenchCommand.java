package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.DispatchBench;
import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.bench.PickupLatencyBench;
import dev.launchkit.examples.bench.ReadoptionBench;
import dev.launchkit.examples.bench.TrackingBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent bench}: prints LaunchKit's figures as one table and writes them as JSON. Targets are printed
 * next to the figures; nothing here passes or fails on time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure pickup latency, dispatch throughput, tracking cost and re-adoption; print a table and "
                + "write JSON.")
final class BenchCommand implements Callable<Integer> {
    /** Held so the level sticks: the mock API server logs every request through java.util.logging. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8");

    @Option(names = "--quick", description = "Small sizes (what CI runs): 20 pickup items, 100 dispatches, 100 "
            + "tracked runs, 100 re-adopted runs.")
    boolean quick;
    @Option(names = "--only", split = ",", description = "Benchmarks to run: pickup, dispatch, tracking, adoption, "
            + "reliability (default: all but reliability).")
    List<String> only;
    @Option(names = "--items", description = "Items per queue for pickup latency (default 200, quick 20).")
    Integer items;
    @Option(names = "--gap-ms", defaultValue = "20", description = "Pause between pickup items (default ${DEFAULT-VALUE}).")
    int gapMs;
    @Option(names = "--dispatch-jobs", description = "Jobs per dispatch measurement (default 1000, quick 100).")
    Integer dispatchJobs;
    @Option(names = "--raw-threads", defaultValue = "8", description = "Threads of the raw-client baseline.")
    int rawThreads;
    @Option(names = "--runs", description = "Concurrent runs for tracking (default 10000, quick 100).")
    Integer runs;
    @Option(names = "--adopt-runs", description = "Live runs to re-adopt (default 1000, quick 100).")
    Integer adoptRuns;
    @Option(names = "--reliability", description = "Also run the reliability suites (quick sizes with --quick).")
    boolean reliability;
    @Option(names = "--json", defaultValue = "target/bench.json", description = "Where to write the figures.")
    Path json;

    @Override
    public Integer call() throws Exception {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        Set<String> run = new LinkedHashSet<>(only != null ? only : List.of("pickup", "dispatch", "tracking", "adoption"));
        if (reliability) {
            run.add("reliability");
        }
        Figures figures = new Figures();
        Path work = Files.createTempDirectory("launchkit-bench");
        boolean clean = true;
        if (run.contains("pickup")) {
            PickupLatencyBench.run(size(items, 200, 20), Duration.ofMillis(gapMs), work, figures);
        }
        if (run.contains("dispatch")) {
            DispatchBench.run(size(dispatchJobs, 1000, 100), rawThreads, figures);
        }
        if (run.contains("tracking")) {
            TrackingBench.run(size(runs, 10_000, 100), work, figures);
        }
        if (run.contains("adoption")) {
            ReadoptionBench.run(size(adoptRuns, 1000, 100), figures);
        }
        if (run.contains("reliability")) {
            clean = ReliabilityFigures.all(quick, 9L, work.resolve("reliability"), figures);
        }
        figures.print(System.out);
        figures.writeJson(json);
        System.out.println("figures written to " + json.toAbsolutePath());
        return clean ? 0 : 1;
    }

    private int size(Integer given, int full, int small) {
        return given != null ? given : quick ? small : full;
    }
}
