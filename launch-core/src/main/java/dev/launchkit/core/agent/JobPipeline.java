package dev.launchkit.core.agent;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.Builder;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Queue;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Runner;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes one job from ack to its single terminal report: resolve, build, submit, follow, report. Every failure ends
 * in a {@link Queue#fail} of that job only.
 */
final class JobPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(JobPipeline.class);
    private static final int MAX_LOG_TAIL_IN_MESSAGE = 4_000;
    static final int MAX_SPEC_IN_LOG = 2_000;

    private final Function<String, Runner> runners;
    private final Builder builder;
    private final AgentListener listener;
    private final SecretMasker masker;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final String defaultResource;
    private final Duration stoppedRunTimeout;
    private final Duration stopCheckInterval;
    private final RequeuePolicy requeue;
    private final CompletableFuture<Void> shutdown;
    private final Executor reporters;

    /** {@code reporters} runs terminal reports (queue calls), off the thread that completes a run. */
    JobPipeline(Function<String, Runner> runners, Builder builder, AgentListener listener, SecretMasker masker,
                ScheduledExecutorService scheduler, Clock clock, String defaultResource, Duration stoppedRunTimeout,
                Duration stopCheckInterval, RequeuePolicy requeue, CompletableFuture<Void> shutdown,
                Executor reporters) {
        this.runners = runners;
        this.builder = builder;
        this.listener = listener;
        this.masker = masker;
        this.scheduler = scheduler;
        this.clock = clock;
        this.defaultResource = defaultResource;
        this.stoppedRunTimeout = stoppedRunTimeout;
        this.stopCheckInterval = stopCheckInterval;
        this.requeue = requeue;
        this.shutdown = shutdown;
        this.reporters = reporters;
    }

    /**
     * Takes a freshly popped job through submit on the calling thread and returns at once after; the future
     * completes once the job's terminal report is made (on {@code reporters}), or the agent shuts down with the run
     * still going. No thread waits for a run in between, so a thousand live runs hold no thread of the agent.
     * The future never completes exceptionally.
     */
    CompletableFuture<Void> run(Queue queue, Job popped) {
        return inLogContext(popped, () -> {
            Job job = popped;
            try {
                listener.received(job);
                LOG.info("received job {} from queue {}: {}", job.itemId(), queue.name(), logged(job));
                queue.ack(job, job.runId());
                job = queue.resolve(job);
                Runner runner = runners.apply(job.resource(defaultResource));
                ImageRef image = image(job);
                SubmittedRun run = runner.submit(job, image);
                listener.submitted(job, run);
                LOG.info("submitted run {} as {}", job.runId(), run.id());
                try {
                    queue.submitted(job, run.id());
                } catch (RuntimeException e) {
                    LOG.warn("could not record the submission of {} on queue {}: {}", job, queue.name(),
                            masker.mask(e.toString()));
                }
                return follow(queue, job, run);
            } catch (LaunchException e) {
                fail(queue, job, e.stage(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("unexpected error while running {}", job, e);
                fail(queue, job, Stage.AGENT, "internal error in the agent: " + e);
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** The spec for the log: masked, and cut short (an item may carry megabytes of strings). */
    private String logged(Job job) {
        String spec = masker.mask(job.spec().toString());
        return spec.length() <= MAX_SPEC_IN_LOG ? spec
                : spec.substring(0, MAX_SPEC_IN_LOG) + "... (" + spec.length() + " characters)";
    }

    /** Follows a run found again after a restart to its end; the future is as for {@link #run}. */
    CompletableFuture<Void> resume(Queue queue, Job job, SubmittedRun run) {
        return inLogContext(job, () -> {
            try {
                listener.adopted(job, run);
                LOG.info("adopted run {} ({}), status {}", job.runId(), run.id(), run.status());
                return follow(queue, job, run);
            } catch (RuntimeException e) {
                LOG.error("unexpected error while following adopted run {}", job, e);
                fail(queue, job, Stage.RUN, "internal error in the agent while following the run: " + e);
                return CompletableFuture.completedFuture(null);
            }
        });
    }

    /** Runs {@code body} with the job's run and item ids in the logging context (they prefix every line). */
    private static <T> T inLogContext(Job job, Supplier<T> body) {
        MDC.put("run_id", job.runId());
        MDC.put("item_id", job.itemId());
        try {
            return body.get();
        } finally {
            MDC.remove("run_id");
            MDC.remove("item_id");
        }
    }

    private ImageRef image(Job job) {
        if (job.source() instanceof JobSource.Image img && builder == null) {
            return img.image();
        }
        if (builder == null) {
            throw new LaunchException(Stage.AGENT, "the job's source (" + job.source().describe() + ") needs an image "
                    + "build, but no builder is configured: set builder.type (for example 'kaniko') in launch-config.yaml");
        }
        if (job.source().needsBuild()) {
            listener.building(job);
            listener.status(job, RunStatus.of(RunState.BUILDING));
        }
        Job building = job;
        try {
            return builder.build(job, new RunListener() {
                @Override
                public void warning(String message) {
                    listener.warning(building, Stage.BUILD, message);
                }

                @Override
                public void log(String line) {
                    listener.log(building, line);
                }
            });
        } catch (LaunchException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new LaunchException(Stage.BUILD, "the " + builder.type() + " builder failed: " + e.getMessage(), e);
        }
    }

    private CompletableFuture<Void> follow(Queue queue, Job job, SubmittedRun run) {
        run.addListener(new RunListener() {
            @Override
            public void status(RunStatus status) {
                listener.status(job, status);
            }

            @Override
            public void warning(String message) {
                String m = masker.mask(message);
                listener.warning(job, Stage.RUN, m);
                try {
                    queue.warn(job, Stage.RUN, m);
                } catch (RuntimeException e) {
                    LOG.warn("could not send warning for {} to queue {}: {}", job, queue.name(), masker.mask(e.toString()));
                }
            }

            @Override
            public void log(String line) {
                listener.log(job, line);
            }
        });
        ScheduledFuture<?> stopWatch = watchForStopRequest(queue, job, run);
        return CompletableFuture.anyOf(run.completion(), shutdown).handleAsync((ignored, error) -> {
            stopWatch.cancel(false);
            return inLogContext(job, () -> {
                try {
                    if (!run.completion().isDone()) {
                        LOG.info("agent shutting down; run {} keeps running and will be adopted by the next agent",
                                job.runId());
                        return null;
                    }
                    report(queue, job, run, run.completion().join());
                } catch (RuntimeException e) {
                    LOG.error("unexpected error while reporting {}", job, e);
                    fail(queue, job, Stage.RUN, "internal error in the agent while following the run: " + e);
                }
                return null;
            });
        }, reporters).thenAccept(v -> { });
    }

    private ScheduledFuture<?> watchForStopRequest(Queue queue, Job job, SubmittedRun run) {
        Instant[] firstSeen = {null};
        long period = Math.max(1, stopCheckInterval.toMillis());
        return scheduler.scheduleWithFixedDelay(() -> {
            try {
                if (run.completion().isDone() || !queue.stopRequested(job)) {
                    return;
                }
                Instant now = clock.instant();
                if (firstSeen[0] == null) {
                    firstSeen[0] = now;
                    LOG.info("stop requested for run {}; cancelling after {}", job.runId(), stoppedRunTimeout);
                }
                if (!now.isBefore(firstSeen[0].plus(stoppedRunTimeout))) {
                    run.cancel();
                }
            } catch (RuntimeException e) {
                LOG.warn("stop check for {} failed: {}", job, masker.mask(e.toString()));
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private void report(Queue queue, Job job, SubmittedRun run, RunStatus status) {
        switch (status.state()) {
            case FAILED -> fail(queue, job, Stage.RUN, failureMessage(status, run));
            case PREEMPTED -> preempted(queue, job, status);
            default -> {
                queue.complete(job, status);
                listener.finished(job, status);
            }
        }
        run.markReported();
        LOG.info("run {} finished: {}", job.runId(), masker.mask(status.toString()));
    }

    private void preempted(Queue queue, Job job, RunStatus status) {
        String why = status.message().isEmpty() ? status.reason() : status.message();
        if (!requeue.enabled().test(queue.name())) {
            fail(queue, job, Stage.RUN, "the run was preempted (" + why + ") and requeueing is off for this queue");
            return;
        }
        if (job.spec().resumeCount() >= requeue.maxAttempts()) {
            fail(queue, job, Stage.RUN, "the run was preempted (" + why + ") and was already resumed "
                    + job.spec().resumeCount() + " times, the maximum");
            return;
        }
        if (queue.requeue(job)) {
            queue.complete(job, status);
            listener.finished(job, status);
        } else {
            fail(queue, job, Stage.RUN, "the run was preempted (" + why + ") and the queue cannot requeue it");
        }
    }

    private String failureMessage(RunStatus status, SubmittedRun run) {
        StringBuilder sb = new StringBuilder("the run failed");
        if (!status.reason().isEmpty()) {
            sb.append(": ").append(status.reason());
        }
        if (!status.message().isEmpty()) {
            sb.append(status.reason().isEmpty() ? ": " : " — ").append(status.message());
        }
        String tail = run.logTail();
        if (tail != null && !tail.isBlank()) {
            String t = tail.length() > MAX_LOG_TAIL_IN_MESSAGE ? tail.substring(tail.length() - MAX_LOG_TAIL_IN_MESSAGE) : tail;
            sb.append("\n--- last lines of the log ---\n").append(t);
        }
        return sb.toString();
    }

    private void fail(Queue queue, Job job, Stage stage, String message) {
        String m = masker.mask(message);
        LOG.warn("job {} failed at stage {}: {}", job, stage.wireName(), m);
        try {
            queue.fail(job, stage, m);
        } catch (RuntimeException e) {
            LOG.error("could not report failure of {} to queue {}: {}", job, queue.name(), masker.mask(e.toString()));
        }
        listener.error(job, stage, m);
        listener.finished(job, RunStatus.of(RunState.FAILED, stage.wireName(), m));
    }
}
