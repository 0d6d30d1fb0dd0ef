package dev.launchkit.core.queue.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.queue.QueueDefinition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several queue instances on one folder: every item is taken exactly once, none is lost. */
class DirectoryQueueRaceTest {
    private static final LaunchSpec SPEC = LaunchSpec.parse(
            "{\"entity\":\"team\",\"project\":\"p\",\"docker\":{\"docker_image\":\"python:3.11\"}}");

    @TempDir
    Path root;

    private Set<String> push(DirectoryQueues queues, int n) {
        queues.upsert(QueueDefinition.bare("shared"));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(queues.push("shared", SPEC.with("name", "item-" + i)));
        }
        return ids;
    }

    private List<String> folder(String name) throws Exception {
        try (var s = Files.list(root.resolve("shared").resolve(name))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".result.json")).toList();
        }
    }

    @Test
    void twoQueueInstancesOnTwoThreadsTakeEveryItemExactlyOnce() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        Set<String> ids = push(queues, 400);
        Map<String, AtomicInteger> taken = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(pool.submit(() -> {
                int mine = 0;
                try (DirectoryQueue q = queues.open("shared")) {
                    start.await();
                    Optional<Job> job;
                    while ((job = q.poll(Duration.ZERO)).isPresent()) {
                        taken.computeIfAbsent(job.get().itemId(), k -> new AtomicInteger()).incrementAndGet();
                        q.ack(job.get(), job.get().runId());
                        q.complete(job.get(), RunStatus.of(RunState.SUCCEEDED));
                        mine++;
                    }
                }
                return mine;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : workers) {
            total += f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(total).isEqualTo(400);
        assertThat(taken.keySet()).isEqualTo(ids);
        assertThat(taken.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
        assertThat(new HashSet<>(folder("done"))).isEqualTo(ids);
        assertThat(folder("pending")).isEmpty();
        assertThat(folder("running")).isEmpty();
        assertThat(folder("failed")).isEmpty();
    }

    @Test
    void twoProcessesAndAThreadTakeEveryItemExactlyOnce() throws Exception {
        DirectoryQueues queues = new DirectoryQueues(root);
        Set<String> ids = push(queues, 300);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Process> processes = new ArrayList<>();
        List<List<String>> outputs = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                    RaceWorker.class.getName(), root.toString(), "shared").redirectErrorStream(true).start();
            processes.add(p);
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            outputs.add(lines);
            Thread t = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                        if (line.equals("READY")) {
                            ready.countDown();
                        }
                    }
                } catch (java.io.IOException e) {
                    lines.add("reader failed: " + e);
                }
            });
            t.start();
            readers.add(t);
        }
        try {
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("both worker processes started").isTrue();
            List<String> mine = new ArrayList<>();
            try (DirectoryQueue q = queues.open("shared")) {
                Files.writeString(root.resolve("go"), "go");
                Optional<Job> job;
                while ((job = q.poll(Duration.ZERO)).isPresent()) {
                    mine.add(job.get().itemId());
                    q.complete(job.get(), RunStatus.of(RunState.SUCCEEDED));
                }
            }
            for (Process p : processes) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("worker process finished").isTrue();
                assertThat(p.exitValue()).as("worker exit code; output: %s", outputs).isZero();
            }
            for (Thread t : readers) {
                t.join(10_000);
            }

            List<String> all = new ArrayList<>(mine);
            for (List<String> lines : outputs) {
                assertThat(lines).as("worker output").contains("DONE");
                lines.stream().filter(l -> l.startsWith("TOOK ")).map(l -> l.substring(5)).forEach(all::add);
            }
            assertThat(all).as("items taken by all three").hasSize(300).doesNotHaveDuplicates();
            assertThat(new HashSet<>(all)).isEqualTo(ids);
            assertThat(new HashSet<>(folder("done"))).isEqualTo(ids);
            assertThat(folder("running")).isEmpty();
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }
}
