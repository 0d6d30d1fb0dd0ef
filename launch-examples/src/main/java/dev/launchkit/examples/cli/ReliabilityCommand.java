package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.reliability.KillRestartSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent reliability}: the kill/restart suite (agent JVMs killed at random points), the API-fault suite
 * (5xx/429, dropped watches, 410 Gone, lost create responses) and the bad-input suite (malformed items and queue
 * configs among good runs); prints their figures (runs, kills, faults, lost, duplicated, wrongly reported; cases,
 * unclear messages, crashes, secret leaks) as one table and writes them as JSON. Exit code 1 when one saw a problem.
 */
@Command(name = "reliability", mixinStandardHelpOptions = true,
        description = "Kill agent processes at random points, inject API faults, feed malformed input; count lost, "
                + "duplicated and wrongly reported runs, unclear errors, crashes and secret leaks.")
final class ReliabilityCommand implements Callable<Integer> {
    /** Held so the level sticks: the mock API server logs every request through java.util.logging. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8");
    @Option(names = "--quick", description = "The short version CI runs (small workloads, few kills).")
    boolean quick;
    @Option(names = "--runs", description = "Runs in the kill/restart workload (default 500, quick 60).")
    Integer runs;
    @Option(names = "--kills", description = "Agent processes to kill (default 20, quick 3).")
    Integer kills;
    @Option(names = "--only", split = ",", description = "Suites to run: kill, api-faults, bad-input (default all).")
    List<String> only;
    @Option(names = "--seed", defaultValue = "9", description = "Random seed for kill moments and inputs.")
    long seed;
    @Option(names = "--work", description = "Folder for queues and agent logs (default: a new temporary folder).")
    Path work;
    @Option(names = "--json", defaultValue = "target/reliability.json", description = "Where to write the figures.")
    Path json;

    @Override
    public Integer call() throws Exception {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("launchkit-reliability");
        Figures figures = new Figures();
        for (String suite : only == null ? List.<String>of() : only) {
            if (!ReliabilityFigures.SUITES.contains(suite)) {
                System.err.println("--only: unknown suite '" + suite + "'; use " + String.join(", ",
                        ReliabilityFigures.SUITES));
                return 2;
            }
        }
        boolean clean = ReliabilityFigures.run(only == null ? ReliabilityFigures.SUITES : only, settings(), quick,
                seed, dir, figures);
        figures.print(System.out);
        figures.writeJson(json);
        System.out.println("figures written to " + json.toAbsolutePath() + "; agent logs in " + dir);
        return clean ? 0 : 1;
    }

    private KillRestartSuite.Settings settings() {
        KillRestartSuite.Settings base = quick ? KillRestartSuite.Settings.quick() : KillRestartSuite.Settings.full();
        return new KillRestartSuite.Settings(runs != null ? runs : base.runs(), kills != null ? kills : base.kills(),
                base.maxJobs(), base.maxKillDelay(), base.step(), base.finish(), seed);
    }
}
