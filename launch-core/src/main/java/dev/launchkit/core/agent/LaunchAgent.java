package dev.launchkit.core.agent;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.AgentState;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.PartialAdoptionException;
import dev.launchkit.core.Queue;
import dev.launchkit.core.Runner;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.config.Quoted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A launch agent: polls its queues round-robin while fewer than {@code maxJobs} jobs are active, and takes each job
 * through resolve → build → submit → follow → report.
 *
 * <pre>{@code
 * try (LaunchAgent agent = LaunchAgent.builder()
 *         .queue(queue)
 *         .runner(new LocalProcessRunner(...))
 *         .maxJobs(4)
 *         .build()) {
 *     agent.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>A bad item fails on its own and the agent goes on; a queue that errors is backed off and polled again. Agents
 * share nothing: two agents in one JVM with different configs do not interfere. {@link #close()} stops polling and
 * leaves runs running (the next agent adopts them) unless {@link Builder#cancelRunsOnShutdown} was set.
 */
public final class LaunchAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchAgent.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final String name;
    private final List<Queue> queues;
    private final Map<String, Runner> runners = new ConcurrentHashMap<>();
    private final Function<String, Runner> runnerFactory;
    private final dev.launchkit.core.Builder builder;
    private final LaunchContext context;
    private final Listeners listener;
    /** Jobs submitting or reporting at once; more wait their turn (runs in progress need no thread). */
    private static final int JOB_THREADS = 32;
    private final int maxJobs;
    private final Duration pollWait;
    private final Duration statusInterval;
    private final boolean cancelRunsOnShutdown;
    private final List<AutoCloseable> owned;
    private final JobPipeline pipeline;

    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, SubmittedRun> activeRuns = new ConcurrentHashMap<>();
    private final Object slots = new Object();
    private final CompletableFuture<Void> shutdown = new CompletableFuture<>();
    private final ExecutorService workers;
    private final Map<Queue, Instant> backoffUntil = new ConcurrentHashMap<>();
    private final Map<Queue, Integer> failures = new ConcurrentHashMap<>();
    private volatile Thread loop;
    private volatile boolean stopping;
    private volatile AgentState lastState;
    private int cursor;

    private LaunchAgent(Builder b) {
        this.name = b.name;
        this.queues = List.copyOf(b.queues);
        this.context = b.context;
        context.env("WANDB_API_KEY").ifPresent(context.masker()::register);
        List<AgentListener> all = new ArrayList<>(b.listeners);
        all.add(new AgentListener() {
            @Override
            public void submitted(Job job, SubmittedRun run) {
                activeRuns.put(key(job), run);
            }
        });
        this.listener = new Listeners(all, context.masker());
        this.maxJobs = b.maxJobs;
        this.pollWait = b.pollWait;
        this.statusInterval = b.statusInterval;
        this.cancelRunsOnShutdown = b.cancelRunsOnShutdown;
        this.builder = b.builder;
        this.owned = List.copyOf(b.owned);
        b.runners.forEach(r -> runners.put(r.type(), r));
        Function<String, Runner> factory = b.runnerFactory;
        this.runnerFactory = type -> runners.computeIfAbsent(type, t -> {
            if (factory == null) {
                throw new LaunchException(Stage.AGENT, "the job asks for resource " + Quoted.of(t) + ", but this agent has "
                        + "runners for " + String.join(", ", new java.util.TreeSet<>(runners.keySet()))
                        + "; set the queue's resource to one of them");
            }
            return factory.apply(t);
        });
        // Jobs use a thread only to submit (build included) and to report, so a bounded pool serves any number of
        // live runs; a burst of pops queues here instead of starting a thread per item. Idle threads end.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(JOB_THREADS, JOB_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "launch-agent-" + name + "-job");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
        this.pipeline = new JobPipeline(runnerFactory, builder, listener, context.masker(), context.scheduler(),
                context.clock(), b.defaultResource, b.stoppedRunTimeout, b.stopCheckInterval, b.requeue, shutdown,
                this::report);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds an agent from a loaded config, creating the queue backend, environment, registry, builder and runners
     * with the plugins found on the thread's context class loader.
     *
     * @throws dev.launchkit.core.ConfigException naming the key when a plugin type is unknown or its block is wrong
     */
    public static LaunchAgent fromConfig(LaunchConfig config, LaunchContext context) {
        return AgentAssembly.assemble(config, context, List.of());
    }

    /** Like {@link #fromConfig(LaunchConfig, LaunchContext)}, with extra listeners for embedders. */
    public static LaunchAgent fromConfig(LaunchConfig config, LaunchContext context, List<AgentListener> listeners) {
        return AgentAssembly.assemble(config, context, listeners);
    }

    /** The agent's name (used in logs and labels). */
    public String name() {
        return name;
    }

    /** The number of jobs taken and not yet reported. */
    public int activeJobs() {
        return active.get();
    }

    /** The queues this agent polls, in configured order. */
    public List<Queue> queues() {
        return queues;
    }

    /**
     * Adopts the runs a previous agent left (every runner it has), then starts polling on a background thread.
     * Returns at once.
     */
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("agent " + name + " was already started");
        }
        if (adoptRuns()) {
            releaseAbandoned();
        } else {
            LOG.warn("agent {}: not every runner could list its runs, so items a previous agent left taken stay "
                    + "where they are (putting them back could start a run twice)", name);
        }
        Thread t = new Thread(this::pollLoop, "launch-agent-" + name + "-poll");
        t.setDaemon(true);
        loop = t;
        t.start();
    }

    private void releaseAbandoned() {
        for (Queue q : queues) {
            try {
                int n = q.releaseAbandoned();
                if (n > 0) {
                    LOG.info("queue {}: {} items a previous agent took but never started are pending again", q.name(), n);
                }
            } catch (RuntimeException e) {
                LOG.warn("queue {}: could not put back the items of a previous agent: {}", q.name(),
                        context.masker().mask(e.toString()));
            }
        }
    }

    /** Adopts what every runner lists; false when a runner could not list its runs. */
    private boolean adoptRuns() {
        boolean complete = true;
        Map<String, Queue> byName = new LinkedHashMap<>();
        queues.forEach(q -> byName.put(q.name(), q));
        for (Runner runner : new ArrayList<>(runners.values())) {
            List<SubmittedRun> found;
            try {
                found = runner.adopt();
            } catch (PartialAdoptionException e) {
                LOG.warn("runner {} adopted {} runs but could not look everywhere: {}", runner.type(),
                        e.adopted().size(), context.masker().mask(e.getMessage()));
                found = e.adopted();
                complete = false;
            } catch (RuntimeException e) {
                LOG.warn("runner {} could not list runs to adopt: {}", runner.type(), context.masker().mask(e.toString()));
                complete = false;
                continue;
            }
            for (SubmittedRun run : found) {
                Queue q = byName.get(run.queueName());
                if (q == null) {
                    LOG.warn("run {} belongs to queue '{}', which this agent does not poll; leaving it alone",
                            run.runId(), run.queueName());
                    continue;
                }
                Job job = q.recover(run.itemId(), run.runId()).orElseGet(() -> new Job(run.itemId(), q.name(), "",
                        LaunchSpec.empty().withRunId(run.runId()), new JobSource.Unresolved("adopted " + run.id()),
                        run.runId(), Map.of()));
                active.incrementAndGet();
                activeRuns.put(key(job), run);
                workers.execute(() -> track(job, () -> pipeline.resume(q, job, run)));
            }
        }
        return complete;
    }

    private void pollLoop() {
        Instant nextStatus = Instant.EPOCH;
        while (!stopping) {
            try {
                if (queues.stream().anyMatch(this::stopPollingRequested)) {
                    LOG.info("a queue asked agent {} to stop polling; shutting down", name);
                    workers.execute(this::close);
                    return;
                }
                Instant now = context.clock().instant();
                if (!now.isBefore(nextStatus)) {
                    printStatus();
                    nextStatus = now.plus(statusInterval);
                }
                if (!hasFreeSlot()) {
                    awaitFreeSlot();
                    continue;
                }
                pollOnce();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("agent loop error (continuing): {}", context.masker().mask(e.toString()), e);
            }
        }
    }

    private boolean stopPollingRequested(Queue q) {
        try {
            return q.stopPollingRequested();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** One round-robin turn: at most one item; the queue that yields moves to the end of the rotation. */
    private void pollOnce() throws InterruptedException {
        int n = queues.size();
        for (int i = 0; i < n && !stopping; i++) {
            int idx = (cursor + i) % n;
            Queue q = queues.get(idx);
            boolean last = i == n - 1;
            Instant until = backoffUntil.get(q);
            if (until != null && context.clock().instant().isBefore(until)) {
                if (last) {
                    Thread.sleep(Math.min(pollWait.toMillis(), 200));
                }
                continue;
            }
            Optional<Job> job;
            try {
                job = q.poll(last ? pollWait : Duration.ZERO);
                failures.remove(q);
                backoffUntil.remove(q);
            } catch (RuntimeException e) {
                backOff(q, e);
                continue;
            }
            listener.polled(q.name(), job.isPresent());
            if (job.isPresent()) {
                cursor = (idx + 1) % n;
                dispatch(q, job.get());
                return;
            }
        }
    }

    private void backOff(Queue q, RuntimeException e) {
        int count = failures.merge(q, 1, Integer::sum);
        long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(count - 1, 6));
        backoffUntil.put(q, context.clock().instant().plusSeconds(seconds));
        String message = context.masker().mask(e.getMessage() == null ? e.toString() : e.getMessage());
        LOG.warn("polling queue {} failed ({} in a row), retrying in {} s: {}", q.name(), count, seconds, message);
        listener.error(null, Stage.AGENT, "queue " + q.name() + ": " + message);
    }

    private void dispatch(Queue q, Job job) {
        active.incrementAndGet();
        reportState();
        workers.execute(() -> track(job, () -> pipeline.run(q, job)));
    }

    /** Runs a pipeline step and frees the job's slot when its report is made, however it ends. */
    private void track(Job job, Supplier<CompletableFuture<Void>> step) {
        CompletableFuture<Void> reported;
        try {
            reported = step.get();
        } catch (RuntimeException | Error e) {
            release(job);
            throw e;
        }
        reported.whenComplete((v, e) -> release(job));
    }

    /**
     * Where terminal reports run: a worker thread, or, once {@link #stop} gave up waiting and shut the workers
     * down, the completing thread, so that a late report is still made.
     */
    private void report(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void release(Job job) {
        activeRuns.remove(key(job));
        active.decrementAndGet();
        synchronized (slots) {
            slots.notifyAll();
        }
        reportState();
    }

    private static String key(Job job) {
        return job.queueName() + "/" + job.itemId();
    }

    private boolean hasFreeSlot() {
        return maxJobs == LaunchConfig.UNLIMITED || active.get() < maxJobs;
    }

    private void awaitFreeSlot() throws InterruptedException {
        synchronized (slots) {
            if (!hasFreeSlot() && !stopping) {
                slots.wait(Math.max(1, pollWait.toMillis()));
            }
        }
    }

    private void reportState() {
        AgentState state = stopping ? AgentState.STOPPED : active.get() > 0 ? AgentState.RUNNING : AgentState.POLLING;
        if (state == lastState) {
            return;
        }
        lastState = state;
        for (Queue q : queues) {
            try {
                q.agentState(state);
            } catch (RuntimeException e) {
                LOG.debug("queue {} could not take agent state {}: {}", q.name(), state, e.toString());
            }
        }
    }

    private void printStatus() {
        LOG.info("{}", statusLine(name, queues.stream().map(Queue::name).toList(), active.get(), maxJobs));
    }

    /**
     * W&B's status line: {@code launch: agent NAME polling on queues a,b, running N out of a maximum of M jobs}, the
     * polling part left out when the agent is at capacity (it is not polling then).
     */
    static String statusLine(String name, List<String> queueNames, int running, int maxJobs) {
        boolean full = maxJobs != LaunchConfig.UNLIMITED && running >= maxJobs;
        String limit = maxJobs == LaunchConfig.UNLIMITED ? "unlimited" : Integer.toString(maxJobs);
        return "launch: agent " + name + (full ? "" : " polling on queues " + String.join(",", queueNames)) + ", running "
                + running + " out of a maximum of " + limit + " jobs";
    }

    /** Stops polling and waits up to {@code grace} for job threads to finish reporting; see {@link #close()}. */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        reportState();
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
        if (cancelRunsOnShutdown) {
            activeRuns.values().forEach(run -> {
                try {
                    run.cancel();
                } catch (RuntimeException e) {
                    LOG.warn("cancel of {} failed: {}", run.id(), context.masker().mask(e.toString()));
                }
            });
        } else {
            shutdown.complete(null);
        }
        try {
            // Jobs hold no thread while their run goes on: wait for their reports, then for the workers.
            long deadline = System.nanoTime() + grace.toNanos();
            synchronized (slots) {
                long left;
                while (active.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                    slots.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
            workers.shutdown();
            long left = Math.max(0, deadline - System.nanoTime());
            if (active.get() > 0 || !workers.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                LOG.warn("agent {}: {} jobs still busy after {}", name, active.get(), grace);
                shutdown.complete(null);
            }
        } catch (InterruptedException e) {
            workers.shutdown();
            Thread.currentThread().interrupt();
        }
        closeQuietly(builder);
        runners.values().forEach(LaunchAgent::closeQuietly);
        queues.forEach(LaunchAgent::closeQuietly);
        owned.forEach(LaunchAgent::closeQuietly);
    }

    /** Whether {@link #stop} or {@link #close} was called (or a queue asked the agent to stop). */
    public boolean isStopping() {
        return stopping;
    }

    /** Blocks until the agent has stopped (for the CLI's {@code run} command). */
    public void awaitStopped() throws InterruptedException {
        Thread t = loop;
        if (t != null) {
            t.join();
        }
        while (!workers.isTerminated()) {
            workers.awaitTermination(1, TimeUnit.SECONDS);
        }
    }

    /** Stops polling; active runs keep running unless configured otherwise. Waits up to 30 s for reports. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close of {} failed: {}", c, e.toString());
        }
    }

    /** Builds a {@link LaunchAgent}. Short-lived and not thread-safe. */
    public static final class Builder {
        private String name = "launchkit-agent";
        private final List<Queue> queues = new ArrayList<>();
        private final List<Runner> runners = new ArrayList<>();
        private Function<String, Runner> runnerFactory;
        private dev.launchkit.core.Builder builder;
        private LaunchContext context;
        private final List<AgentListener> listeners = new ArrayList<>();
        private final List<AutoCloseable> owned = new ArrayList<>();
        private int maxJobs = 1;
        private Duration pollWait = Duration.ofSeconds(1);
        private Duration statusInterval = Duration.ofMinutes(5);
        private Duration stoppedRunTimeout = Duration.ofSeconds(60);
        private Duration stopCheckInterval = Duration.ofSeconds(10);
        private String defaultResource = "kubernetes";
        private RequeuePolicy requeue = RequeuePolicy.standard();
        private boolean cancelRunsOnShutdown;

        private Builder() {
        }

        /** The agent's name, for logs and the W&B agent record. */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value);
            return this;
        }

        /** Adds a queue to poll; queues are polled round-robin in the order added. */
        public Builder queue(Queue queue) {
            queues.add(Objects.requireNonNull(queue));
            return this;
        }

        public Builder queues(List<? extends Queue> list) {
            list.forEach(this::queue);
            return this;
        }

        /** Adds a runner; jobs whose {@code resource} equals its {@link Runner#type()} go to it. */
        public Builder runner(Runner runner) {
            runners.add(Objects.requireNonNull(runner));
            return this;
        }

        /**
         * Creates runners on first use for resources without a registered runner. The factory throws
         * {@link LaunchException} for types it cannot create; the job then fails with that message.
         */
        public Builder runnerFactory(Function<String, Runner> factory) {
            this.runnerFactory = factory;
            return this;
        }

        /** The builder that turns sources into images; without one, only image jobs can run. */
        public Builder imageBuilder(dev.launchkit.core.Builder value) {
            this.builder = value;
            return this;
        }

        /** Clock, scheduler, environment, secret masker. Default: {@link LaunchContext#basic} of the process env. */
        public Builder context(LaunchContext value) {
            this.context = value;
            return this;
        }

        public Builder listener(AgentListener value) {
            listeners.add(Objects.requireNonNull(value));
            return this;
        }

        /** Concurrent jobs; {@link LaunchConfig#UNLIMITED} (-1) for no limit. Default 1, as W&B. */
        public Builder maxJobs(int value) {
            if (value == 0 || value < LaunchConfig.UNLIMITED) {
                throw new IllegalArgumentException("maxJobs must be positive or -1 (unlimited), got " + value);
            }
            this.maxJobs = value;
            return this;
        }

        /** How long one poll of the last queue in a turn may wait for an item. Default 1 s. */
        public Builder pollWait(Duration value) {
            this.pollWait = value;
            return this;
        }

        /** How often the status line is logged. Default 5 minutes (W&B prints every 300 s). */
        public Builder statusInterval(Duration value) {
            this.statusInterval = value;
            return this;
        }

        /** Delay between a user's stop request and the cancel. Default 60 s. */
        public Builder stoppedRunTimeout(Duration value) {
            this.stoppedRunTimeout = value;
            return this;
        }

        /** How often queues are asked whether a run should stop. Default 10 s. */
        public Builder stopCheckInterval(Duration value) {
            this.stopCheckInterval = value;
            return this;
        }

        /** The runner type for specs without {@code resource}. Default {@code kubernetes}. */
        public Builder defaultResource(String value) {
            this.defaultResource = value;
            return this;
        }

        public Builder requeue(RequeuePolicy value) {
            this.requeue = value;
            return this;
        }

        /** Cancel active runs on {@link LaunchAgent#close()} instead of leaving them for the next agent. */
        public Builder cancelRunsOnShutdown(boolean value) {
            this.cancelRunsOnShutdown = value;
            return this;
        }

        /** Something the agent closes when it stops (an environment, a client). */
        public Builder closeOnStop(AutoCloseable value) {
            owned.add(value);
            return this;
        }

        public LaunchAgent build() {
            if (queues.isEmpty()) {
                throw new IllegalStateException("an agent needs at least one queue");
            }
            if (context == null) {
                context = LaunchContext.basic(System.getenv());
            }
            return new LaunchAgent(this);
        }
    }
}
