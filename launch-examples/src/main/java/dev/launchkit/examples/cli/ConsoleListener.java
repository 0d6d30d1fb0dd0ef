package dev.launchkit.examples.cli;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.Job;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import java.io.PrintStream;

/** Prints each job's lifecycle as one line per event (the demo and {@code run -v} output). */
final class ConsoleListener implements AgentListener {
    private final PrintStream out;
    private final boolean logs;

    ConsoleListener(PrintStream out, boolean logs) {
        this.out = out;
        this.logs = logs;
    }

    private void line(Job job, String what) {
        out.printf("[%s run=%s] %s%n", job.queueName(), job.runId(), what);
        out.flush();
    }

    @Override
    public void received(Job job) {
        line(job, "received item " + job.itemId() + " (" + job.source().describe() + ")");
    }

    @Override
    public void building(Job job) {
        line(job, "building image");
    }

    @Override
    public void submitted(Job job, SubmittedRun run) {
        line(job, "submitted as " + run.id());
    }

    @Override
    public void adopted(Job job, SubmittedRun run) {
        line(job, "adopted " + run.id() + " (" + run.status() + ")");
    }

    @Override
    public void status(Job job, RunStatus status) {
        line(job, "status " + status);
    }

    @Override
    public void warning(Job job, Stage stage, String message) {
        line(job, "warning (" + stage.wireName() + "): " + message);
    }

    @Override
    public void log(Job job, String l) {
        if (logs) {
            line(job, "log | " + l);
        }
    }

    @Override
    public void finished(Job job, RunStatus status) {
        line(job, "finished: " + status);
    }

    @Override
    public void error(Job job, Stage stage, String message) {
        if (job == null) {
            out.println("[agent] error (" + stage.wireName() + "): " + message);
        }
    }
}
