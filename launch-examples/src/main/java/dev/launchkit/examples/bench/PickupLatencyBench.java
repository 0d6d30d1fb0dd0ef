package dev.launchkit.examples.bench;

import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.directory.DirectoryQueue;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import dev.launchkit.core.queue.memory.MemoryQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pickup latency of the embedded queues: from an item appearing (a file renamed into {@code pending/}, or a push)
 * to the agent's {@code poll} returning it, with a waiting poller as the agent has. Items arrive one at a time
 * with a gap, so each measures a cold pickup rather than a backlog.
 */
public final class PickupLatencyBench {
    private static final String SPEC = "{\"entity\":\"b\",\"project\":\"b\",\"docker\":{\"docker_image\":\"python:3.11\"}}";

    private PickupLatencyBench() {
    }

    /** Runs both queues with {@code items} items each and adds p50/p99 rows to {@code figures}. */
    public static void run(int items, Duration gap, Path workDir, Figures figures) throws Exception {
        DirectoryQueues dirs = new DirectoryQueues(workDir.resolve("queues"));
        dirs.upsert(QueueDefinition.bare("bench"));
        try (DirectoryQueue queue = dirs.open("bench")) {
            Path pending = queue.directory().resolve("pending");
            Files.createDirectories(pending);
            long[] samples = measure(queue, items, gap, i -> {
                Path tmp = pending.resolve(".item-" + i + ".tmp");
                Files.writeString(tmp, SPEC, StandardCharsets.UTF_8);
                long t = System.nanoTime();
                Files.move(tmp, pending.resolve("item-" + i + ".json"), StandardCopyOption.ATOMIC_MOVE);
                return t;
            });
            add(figures, "pickup directory queue", samples);
        }
        MemoryQueue memory = new MemoryQueue(QueueDefinition.bare("bench"));
        long[] samples = measure(memory, items, gap, i -> {
            long t = System.nanoTime();
            memory.push(LaunchSpec.parse(SPEC));
            return t;
        });
        add(figures, "pickup memory queue", samples);
    }

    private interface Producer {
        long produce(int i) throws IOException;
    }

    private static long[] measure(Queue queue, int items, Duration gap, Producer producer) throws Exception {
        long[] samples = new long[items];
        Map<Integer, Long> popped = new ConcurrentHashMap<>();
        Thread poller = new Thread(() -> {
            try {
                for (int n = 0; n < items; ) {
                    Optional<Job> job = queue.poll(Duration.ofSeconds(1));
                    if (job.isPresent()) {
                        popped.put(n++, System.nanoTime());
                        queue.complete(job.get(), dev.launchkit.core.RunStatus.of(dev.launchkit.core.RunState.SUCCEEDED));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-poller");
        poller.start();
        for (int i = 0; i < items; i++) {
            Thread.sleep(gap.toMillis());
            long written = producer.produce(i);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!popped.containsKey(i)) {
                if (System.nanoTime() > deadline) {
                    poller.interrupt();
                    throw new IllegalStateException("item " + i + " was not picked up within 10 s");
                }
                Thread.onSpinWait();
            }
            samples[i] = popped.get(i) - written;
        }
        poller.join(5_000);
        return samples;
    }

    private static void add(Figures figures, String row, long[] samples) {
        figures.put(row, "items", samples.length)
                .put(row, "p50_ms", Figures.percentileMillis(samples, 50))
                .put(row, "p99_ms", Figures.percentileMillis(samples, 99))
                .put(row, "target_p50_ms", 50);
    }
}
