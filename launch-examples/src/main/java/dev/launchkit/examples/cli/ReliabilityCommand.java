package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.reliability.BadInputSuite;
import dev.launchkit.examples.reliability.KillRestartSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent reliability}: the kill/restart suite (agent JVMs killed at random points) and the bad-input
 * suite (malformed items and queue configs among good runs); prints their figures (runs, kills, lost, duplicated,
 * wrongly reported; cases, unclear messages, crashes, secret leaks) as one table and writes them as JSON. Exit code 1
 * when either saw a problem.
 */
@Command(name = "reliability", mixinStandardHelpOptions = true,
        description = "Kill agent processes at random points, then feed malformed input; count lost, duplicated and "
                + "wrongly reported runs, unclear errors, crashes and secret leaks.")
final class ReliabilityCommand implements Callable<Integer> {
    /** Held so the level sticks: the mock API server logs every request through java.util.logging. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8");
    @Option(names = "--quick", description = "The short version CI runs (small workloads, few kills).")
    boolean quick;
    @Option(names = "--runs", description = "Runs in the kill/restart workload (default 500, quick 60).")
    Integer runs;
    @Option(names = "--kills", description = "Agent processes to kill (default 20, quick 3).")
    Integer kills;
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
        boolean clean = ReliabilityFigures.killRestart(settings(), dir.resolve("kill"), figures);
        BadInputSuite.Settings bad = quick ? BadInputSuite.Settings.quick() : BadInputSuite.Settings.full();
        clean = ReliabilityFigures.badInput(bad.withSeed(seed), dir.resolve("bad-input"), figures) && clean;
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
