package dev.launchkit.examples.ops;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.Job;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer metrics of an agent, fed by its {@link AgentListener} events. In Prometheus names:
 * <ul>
 *   <li>{@code launch_agent_queue_polls_total{queue, result=item|empty}}: answered queue polls (failed ones are
 *       {@code launch_agent_errors_total{kind=queue}});</li>
 *   <li>{@code launch_agent_items_received_total}: queue items taken;</li>
 *   <li>{@code launch_agent_builds_total}: image builds started;</li>
 *   <li>{@code launch_agent_submit_latency_seconds}: from receipt of an item to its run's submission;</li>
 *   <li>{@code launch_agent_runs{state}}: runs now in each state; {@code launch_agent_runs_finished_total{state}};
 *       {@code launch_agent_runs_adopted_total};</li>
 *   <li>{@code launch_agent_errors_total{stage, kind=queue|item}}: errors, {@code kind=queue} being failed calls
 *       to the queue's API; {@code launch_agent_warnings_total{stage}}.</li>
 * </ul>
 */
public final class AgentMetrics implements AgentListener {
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter builds;
    private final Counter adopted;
    private final Timer submitLatency;
    private final Map<RunState, AtomicInteger> byState = new EnumMap<>(RunState.class);
    private final Map<String, RunState> current = new ConcurrentHashMap<>();
    private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.received = Counter.builder("launch_agent_items_received").description("queue items taken").register(registry);
        this.builds = Counter.builder("launch_agent_builds").description("image builds started").register(registry);
        this.adopted = Counter.builder("launch_agent_runs_adopted").description("runs found again after a restart")
                .register(registry);
        this.submitLatency = Timer.builder("launch_agent_submit_latency").description("from receipt to submission")
                .register(registry);
        for (RunState s : RunState.values()) {
            AtomicInteger gauge = new AtomicInteger();
            byState.put(s, gauge);
            registry.gauge("launch_agent_runs", io.micrometer.core.instrument.Tags.of("state", s.wireName()), gauge);
        }
    }

    @Override
    public void polled(String queueName, boolean gotItem) {
        Counter.builder("launch_agent_queue_polls").description("queue polls by outcome").tag("queue", queueName)
                .tag("result", gotItem ? "item" : "empty").register(registry).increment();
    }

    @Override
    public void received(Job job) {
        received.increment();
        receivedAt.put(job.runId(), System.nanoTime());
    }

    @Override
    public void building(Job job) {
        builds.increment();
    }

    @Override
    public void submitted(Job job, SubmittedRun run) {
        Long start = receivedAt.remove(job.runId());
        if (start != null) {
            submitLatency.record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public void adopted(Job job, SubmittedRun run) {
        adopted.increment();
    }

    @Override
    public void status(Job job, RunStatus status) {
        RunState previous = current.put(job.runId(), status.state());
        if (previous == status.state()) {
            return;
        }
        if (previous != null) {
            byState.get(previous).decrementAndGet();
        }
        byState.get(status.state()).incrementAndGet();
    }

    @Override
    public void finished(Job job, RunStatus status) {
        receivedAt.remove(job.runId());
        Counter.builder("launch_agent_runs_finished").tag("state", status.state().wireName()).register(registry).increment();
        RunState previous = current.remove(job.runId());
        if (previous != null) {
            byState.get(previous).decrementAndGet();
        }
    }

    @Override
    public void warning(Job job, Stage stage, String message) {
        Counter.builder("launch_agent_warnings").tag("stage", stage.wireName()).register(registry).increment();
    }

    @Override
    public void error(Job job, Stage stage, String message) {
        Counter.builder("launch_agent_errors").tag("stage", stage.wireName())
                .tag("kind", job == null ? "queue" : "item").register(registry).increment();
    }
}
