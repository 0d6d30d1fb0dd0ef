package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.reliability.BadInputSuite;
import dev.launchkit.examples.reliability.KillRestartSuite;
import dev.launchkit.examples.reliability.Workload;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the reliability suites and puts their figures in the shared table. */
final class ReliabilityFigures {
    private ReliabilityFigures() {
    }

    /** Every suite at full or quick size; false when one saw a lost, duplicated or wrong run. */
    static boolean all(boolean quick, long seed, Path work, Figures f) throws Exception {
        KillRestartSuite.Settings base = quick ? KillRestartSuite.Settings.quick() : KillRestartSuite.Settings.full();
        boolean clean = killRestart(base.withSeed(seed), work.resolve("kill"), f);
        BadInputSuite.Settings bad = quick ? BadInputSuite.Settings.quick() : BadInputSuite.Settings.full();
        return badInput(bad.withSeed(seed), work.resolve("bad-input"), f) && clean;
    }

    /** The bad-input suite's row; false when a case was unclear, a good run failed, or anything crashed or leaked. */
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
}
