package dev.launchkit.examples.cli;

import dev.launchkit.examples.bench.Figures;
import dev.launchkit.examples.reliability.ApiFaultSuite;
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
        boolean kill = killRestart(base.withSeed(seed), work.resolve("kill"), f);
        return apiFaults((quick ? ApiFaultSuite.Settings.quick() : ApiFaultSuite.Settings.full()).withSeed(seed),
                work.resolve("api-faults"), f) && kill;
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
}
