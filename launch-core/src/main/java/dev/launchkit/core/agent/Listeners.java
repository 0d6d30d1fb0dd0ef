package dev.launchkit.core.agent;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.Job;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to several listeners, masking secrets and isolating each listener's exceptions. */
final class Listeners implements AgentListener {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private final List<AgentListener> listeners;
    private final SecretMasker masker;

    Listeners(List<AgentListener> listeners, SecretMasker masker) {
        this.listeners = List.copyOf(listeners);
        this.masker = masker;
    }

    private void each(Consumer<AgentListener> event) {
        for (AgentListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed: {}", l.getClass().getName(), masker.mask(String.valueOf(e)));
            }
        }
    }

    @Override
    public void polled(String queueName, boolean gotItem) {
        each(l -> l.polled(queueName, gotItem));
    }

    @Override
    public void received(Job job) {
        each(l -> l.received(job));
    }

    @Override
    public void building(Job job) {
        each(l -> l.building(job));
    }

    @Override
    public void submitted(Job job, SubmittedRun run) {
        each(l -> l.submitted(job, run));
    }

    @Override
    public void adopted(Job job, SubmittedRun run) {
        each(l -> l.adopted(job, run));
    }

    @Override
    public void status(Job job, RunStatus status) {
        RunStatus masked = new RunStatus(status.state(), status.reason(), masker.mask(status.message()), status.at());
        each(l -> l.status(job, masked));
    }

    @Override
    public void warning(Job job, Stage stage, String message) {
        String m = masker.mask(message);
        each(l -> l.warning(job, stage, m));
    }

    @Override
    public void log(Job job, String line) {
        String m = masker.mask(line);
        each(l -> l.log(job, m));
    }

    @Override
    public void finished(Job job, RunStatus status) {
        RunStatus masked = new RunStatus(status.state(), status.reason(), masker.mask(status.message()), status.at());
        each(l -> l.finished(job, masked));
    }

    @Override
    public void error(Job job, Stage stage, String message) {
        String m = masker.mask(message);
        each(l -> l.error(job, stage, m));
    }
}
