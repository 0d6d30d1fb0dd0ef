package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.bench.PickupLatencyBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code launch-agent bench}: prints LaunchKit's figures as a table and writes them as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure queue pickup latency; print a table and write JSON.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--items", defaultValue = "200", description = "Items per queue (default ${DEFAULT-VALUE}).")
    int items;
    @Option(names = "--gap-ms", defaultValue = "20", description = "Pause between items (default ${DEFAULT-VALUE}).")
    int gapMs;
    @Option(names = "--json", defaultValue = "target/bench.json", description = "Where to write the figures.")
    Path json;

    @Override
    public Integer call() throws Exception {
        Figures figures = new Figures();
        Path work = Files.createTempDirectory("launchkit-bench");
        PickupLatencyBench.run(items, Duration.ofMillis(gapMs), work, figures);
        figures.print(System.out);
        figures.writeJson(json);
        System.out.println("figures written to " + json.toAbsolutePath());
        return 0;
    }
}
