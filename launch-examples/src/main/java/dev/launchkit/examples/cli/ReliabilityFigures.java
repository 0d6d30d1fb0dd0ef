package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.reliability.ApiFaultSuite;
import dev.launchkit.examples.reliability.BadInputSuite;
import dev.launchkit.examples.reliability.KillRestartSuite;
import dev.launchkit.examples.reliability.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs the reliability suites and puts their figures in the shared table. */
final class ReliabilityFigures {
    private ReliabilityFigures() {
    }

    /** The suites, by the names {@code --only} takes. */
    static final List<String> SUITES = List.of("kill", "api-faults", "bad-input");

    /** Every suite at full or quick size; false when one saw a lost, duplicated or wrong run. */
    static boolean all(boolean quick, long seed, Path work, Figures f) throws Exception {
        KillRestartSuite.Settings kill = quick ? KillRestartSuite.Settings.quick() : KillRestartSuite.Settings.full();
        return run(SUITES, kill.withSeed(seed), quick, seed, work, f);
    }

    /**
     * The named suites ({@link #SUITES}) in that order, kill/restart with {@code kill}, the others at full or quick
     * size; false when one saw a problem. Every suite runs even after one failed, so the table is complete.
     */
    static boolean run(List<String> suites, KillRestartSuite.Settings kill, boolean quick, long seed, Path work,
                       Figures f) throws Exception {
        boolean clean = true;
        for (String suite : suites) {
            clean = switch (suite) {
                case "kill" -> killRestart(kill, work.resolve("kill"), f);
                case "api-faults" -> apiFaults((quick ? ApiFaultSuite.Settings.quick()
                        : ApiFaultSuite.Settings.full()).withSeed(seed), work.resolve("api-faults"), f);
                case "bad-input" -> badInput((quick ? BadInputSuite.Settings.quick()
                        : BadInputSuite.Settings.full()).withSeed(seed), work.resolve("bad-input"), f);
                default -> throw new IllegalArgumentException("unknown reliability suite '" + suite + "'; use "
                        + String.join(", ", SUITES));
            } && clean;
        }
        return clean;
    }

    static boolean apiFaults(ApiFaultSuite.Settings s, Path work, Figures f) throws Exception {
        Files.createDirectories(work);
        ApiFaultSuite.Result r = ApiFaultSuite.run(s, work);
        String row = "reliability api-faults";
        Workload.Outcome o = r.outcome();
        f.put(row, "runs", o.runs()).put(row, "faults_5xx", r.faults5xx()).put(row, "faults_429", r.faults429())
                .put(row, "dropped_watches", r.faults().droppedWatches())
                .put(row, "gone_410", r.faults().expiredWatches())
                .put(row, "lost_create_responses", r.lostCreateResponses()).put(row, "lost", o.lost())
                .put(row, "duplicated", o.duplicated()).put(row, "wrong_outcome", o.wrongOutcome())
                .put(row, "double_reports", o.doubleReports()).put(row, "repeated_report_calls", r.repeatedReports())
                .put(row, "crashes", r.crashes()).put(row, "seconds", r.seconds());
        o.problems().forEach(p -> System.out.println("  " + p));
        return r.clean();
    }

    static boolean killRestart(KillRestartSuite.Settings s, Path work, Figures f) throws Exception {
        Files.createDirectories(work);
        KillRestartSuite.Result r = KillRestartSuite.run(s, work);
        String row = "reliability kill/restart";
        Workload.Outcome o = r.outcome();
        f.put(row, "runs", o.runs()).put(row, "kills", r.kills()).put(row, "lost", o.lost())
                .put(row, "duplicated", o.duplicated()).put(row, "wrong_outcome", o.wrongOutcome())
                .put(row, "double_reports", o.doubleReports()).put(row, "crashes", r.crashes())
                .put(row, "kill_points", r.killPoints().toString().replace(" ", ""))
                .put(row, "seconds", r.seconds());
        o.problems().forEach(p -> System.out.println("  " + p));
        return o.clean() && r.crashes() == 0;
    }

    static boolean badInput(BadInputSuite.Settings s, Path work, Figures f) throws Exception {
        Files.createDirectories(work);
        BadInputSuite.Result r = BadInputSuite.run(s, work);
        String row = "reliability bad-input";
        f.put(row, "cases", r.cases()).put(row, "categories", r.categories())
                .put(row, "failed_clearly", r.failedClearly()).put(row, "unclear_messages", r.unclear())
                .put(row, "runs", r.goodRuns()).put(row, "good_runs_done", r.goodDone()).put(row, "lost", r.lost())
                .put(row, "duplicated", r.duplicated()).put(row, "crashes", r.crashes())
                .put(row, "secret_leaks", r.secretLeaks()).put(row, "seconds", r.seconds());
        r.problems().forEach(p -> System.out.println("  " + p));
        return r.clean();
    }
}
