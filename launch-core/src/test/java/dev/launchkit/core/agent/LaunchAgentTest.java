package dev.launchkit.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LaunchAgentTest {
    private static final String IMAGE_SPEC = "{\"entity\":\"team\",\"project\":\"p\",\"resource\":\"scripted\","
            + "\"docker\":{\"docker_image\":\"python:3.11\"}}";
    private final List<LaunchAgent> agents = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(a -> a.stop(Duration.ofSeconds(5)));
    }

    private LaunchAgent.Builder agent(ScriptedRunner runner, RecordingQueue... queues) {
        LaunchAgent.Builder b = LaunchAgent.builder().runner(runner).pollWait(Duration.ofMillis(20))
                .context(LaunchContext.basic(Map.of("WANDB_API_KEY", "secret-api-key-123")))
                .stopCheckInterval(Duration.ofMillis(10)).defaultResource("scripted");
        for (RecordingQueue q : queues) {
            b.queue(q);
        }
        return b;
    }

    private LaunchAgent started(LaunchAgent.Builder b) {
        LaunchAgent a = b.build();
        agents.add(a);
        a.start();
        return a;
    }

    @Test
    void acksWithRunIdThenCompletesASucceededRun() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        Job job = q.push(IMAGE_SPEC);
        started(agent(runner, q));

        Await.until(() -> runner.runs.containsKey(job.runId()), () -> "submission");
        assertThat(q.events).containsExactly("ack q-1 " + job.runId());
        runner.runs.get(job.runId()).finish(RunStatus.of(RunState.SUCCEEDED));

        Await.until(() -> q.terminal().size() == 1, () -> "report, events " + q.events);
        assertThat(q.events).containsExactly("ack q-1 " + job.runId(), "complete q-1 succeeded");
        assertThat(runner.runs.get(job.runId()).reported).isTrue();
    }

    @Test
    void failedRunFailsItsItemAtStageRunWithReasonAndLogTail() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        Job job = q.push(IMAGE_SPEC);
        started(agent(runner, q));
        Await.until(() -> runner.runs.containsKey(job.runId()), () -> "submission");
        ScriptedRunner.Run run = runner.runs.get(job.runId());
        run.logTail = "Traceback: boom";
        run.finish(RunStatus.of(RunState.FAILED, "OOMKilled", "container launch0 ran out of memory"));

        Await.until(() -> q.terminal().size() == 1, () -> "report");
        assertThat(q.terminal().get(0)).startsWith("fail q-1 run the run failed: OOMKilled — container launch0 ran out of memory")
                .contains("Traceback: boom");
    }

    @Test
    void honoursMaxJobs() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        for (int i = 0; i < 5; i++) {
            q.push(IMAGE_SPEC);
        }
        LaunchAgent a = started(agent(runner, q).maxJobs(2));
        Await.until(() -> runner.runs.size() == 2, () -> "two submissions");
        // The agent must not take a third while two are active.
        assertThat(a.activeJobs()).isEqualTo(2);
        pollAFewTimes();
        assertThat(runner.runs).hasSize(2);

        for (int done = 0; done < 5; done++) {
            int expected = Math.min(5, done + 2);
            Await.until(() -> runner.runs.size() == expected, () -> expected + " submissions");
            runner.runs.values().stream().filter(r -> !r.completion.isDone()).findFirst()
                    .orElseThrow().finish(RunStatus.of(RunState.SUCCEEDED));
        }
        Await.until(() -> q.terminal().size() == 5, () -> "five reports");
        assertThat(runner.maxRunning.get()).isEqualTo(2);
    }

    @Test
    void unlimitedMaxJobsRunsEverythingAtOnce() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        for (int i = 0; i < 12; i++) {
            q.push(IMAGE_SPEC);
        }
        started(agent(runner, q).maxJobs(-1));
        Await.until(() -> runner.runs.size() == 12, () -> "all submissions, got " + runner.runs.size());
        assertThat(runner.running.get()).isEqualTo(12);
    }

    @Test
    void liveRunsHoldNoAgentThreadAndAreStillReportedWhenTheyEnd() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        int n = 300;
        for (int i = 0; i < n; i++) {
            q.push(IMAGE_SPEC);
        }
        LaunchAgent a = started(agent(runner, q).name("threads").maxJobs(-1));
        Await.until(() -> runner.runs.size() == n, () -> "all submissions, got " + runner.runs.size());
        Await.until(() -> jobThreadsWaiting("threads") == 0, () -> "job threads still parked on a run");
        assertThat(a.activeJobs()).isEqualTo(n);

        runner.runs.values().forEach(r -> r.finish(RunStatus.of(RunState.SUCCEEDED)));
        Await.until(() -> q.terminal().size() == n, () -> "reports, got " + q.terminal().size());
        Await.until(() -> a.activeJobs() == 0, () -> "free slots");
    }

    /** Job threads of agent {@code name} blocked in the pipeline (none should wait for a run to end). */
    private static long jobThreadsWaiting(String name) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("launch-agent-" + name + "-job"))
                .filter(e -> java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().equals(JobPipeline.class.getName())))
                .count();
    }

    @Test
    void pollsQueuesRoundRobinOneItemPerQueuePerTurn() {
        RecordingQueue a = new RecordingQueue("a");
        RecordingQueue b = new RecordingQueue("b");
        RecordingQueue c = new RecordingQueue("c");
        for (int i = 0; i < 3; i++) {
            a.push(IMAGE_SPEC);
            b.push(IMAGE_SPEC);
        }
        c.push(IMAGE_SPEC);
        ScriptedRunner runner = new ScriptedRunner();
        runner.autoFinish = RunStatus.of(RunState.SUCCEEDED);
        started(agent(runner, a, b, c).maxJobs(1));
        Await.until(() -> runner.submittedOrder.size() == 7, () -> "seven submissions " + runner.submittedOrder);
        assertThat(runner.submittedOrder).containsExactly("a-1", "b-1", "c-1", "a-2", "b-2", "a-3", "b-3");
    }

    @Test
    void badItemFailsAloneAndTheAgentGoesOn() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        runner.autoFinish = RunStatus.of(RunState.SUCCEEDED);
        q.push("{\"entity\":\"team\",\"project\":\"p\",\"resource\":\"sagemaker\",\"docker\":{\"docker_image\":\"x:1\"}}");
        q.push("{\"entity\":\"team\",\"project\":\"p\",\"resource\":\"scripted\",\"source\":{\"git\":{\"remote\":\"https://g/x\"}}}");
        q.push(IMAGE_SPEC);
        started(agent(runner, q));

        Await.until(() -> q.terminal().size() == 3, () -> "three reports " + q.events);
        assertThat(q.terminal()).satisfiesExactly(
                e -> assertThat(e).startsWith("fail q-1 agent the job asks for resource 'sagemaker'").contains("scripted"),
                e -> assertThat(e).startsWith("fail q-2 agent").contains("no builder is configured", "builder.type"),
                e -> assertThat(e).isEqualTo("complete q-3 succeeded"));
    }

    @Test
    void runWarningsReachTheQueueItemAndListeners() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        Job job = q.push(IMAGE_SPEC);
        List<String> seen = new CopyOnWriteArrayList<>();
        started(agent(runner, q).listener(new AgentListener() {
            @Override
            public void warning(Job j, Stage stage, String message) {
                seen.add(stage.wireName() + ":" + message);
            }
        }));
        awaitFollowed(runner, job);
        runner.runs.get(job.runId()).warn("ImagePullBackOff: cannot pull python:3.11");
        Await.until(() -> q.events.stream().anyMatch(e -> e.startsWith("warn")), () -> "warning");
        assertThat(q.events).contains("warn q-1 run ImagePullBackOff: cannot pull python:3.11");
        assertThat(seen).containsExactly("run:ImagePullBackOff: cannot pull python:3.11");
    }

    @Test
    void secretsAreMaskedInEverythingReportedToTheQueue() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        Job job = q.push(IMAGE_SPEC);
        started(agent(runner, q));
        awaitFollowed(runner, job);
        ScriptedRunner.Run run = runner.runs.get(job.runId());
        run.warn("env WANDB_API_KEY=secret-api-key-123 leaked");
        run.logTail = "key is secret-api-key-123";
        run.finish(RunStatus.of(RunState.FAILED, "Error", "with secret-api-key-123"));
        Await.until(() -> q.terminal().size() == 1, () -> "report");
        assertThat(q.events).noneMatch(e -> e.contains("secret-api-key-123"));
        assertThat(String.join("\n", q.events)).contains("WANDB_API_KEY=****");
    }

    @Test
    void stopRequestCancelsTheRunAfterTheStoppedRunTimeout() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        Job job = q.push(IMAGE_SPEC);
        started(agent(runner, q).stoppedRunTimeout(Duration.ofMillis(100)));
        Await.until(() -> runner.runs.containsKey(job.runId()), () -> "submission");
        q.stopRequested = true;
        Await.until(() -> q.terminal().size() == 1, () -> "report");
        assertThat(runner.runs.get(job.runId()).cancelled).isTrue();
        assertThat(q.terminal()).containsExactly("complete q-1 stopped");
    }

    @Test
    void preemptedRunIsRequeuedUntilTheMaximumThenFails() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        runner.autoFinish = RunStatus.of(RunState.PREEMPTED, "PreemptionByScheduler", "node reclaimed");
        q.push(IMAGE_SPEC);
        q.push("{\"entity\":\"team\",\"project\":\"p\",\"resource\":\"scripted\",\"_resume_count\":2,"
                + "\"docker\":{\"docker_image\":\"python:3.11\"}}");
        started(agent(runner, q).requeue(new RequeuePolicy(name -> true, 2)));
        Await.until(() -> q.terminal().size() == 2, () -> "reports " + q.events);
        assertThat(q.requeued).extracting(Job::itemId).containsExactly("q-1");
        assertThat(q.terminal()).containsExactly("complete q-1 preempted",
                "fail q-2 run the run was preempted (node reclaimed) and was already resumed 2 times, the maximum");
    }

    @Test
    void queueErrorsAreBackedOffAndDoNotStopOtherQueues() {
        RecordingQueue broken = new RecordingQueue("broken");
        broken.pollError = new dev.launchkit.core.QueueException("server said 502");
        RecordingQueue ok = new RecordingQueue("ok");
        ScriptedRunner runner = new ScriptedRunner();
        runner.autoFinish = RunStatus.of(RunState.SUCCEEDED);
        List<String> errors = new CopyOnWriteArrayList<>();
        started(agent(runner, broken, ok).listener(new AgentListener() {
            @Override
            public void error(Job job, Stage stage, String message) {
                errors.add(message);
            }
        }));
        ok.push(IMAGE_SPEC);
        Await.until(() -> ok.terminal().size() == 1, () -> "ok queue served");
        assertThat(errors).anyMatch(e -> e.contains("queue broken") && e.contains("server said 502"));
    }

    @Test
    void adoptsRunsLeftByAPreviousAgentAndReportsThemOnce() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner runner = new ScriptedRunner();
        ScriptedRunner.Run left = new ScriptedRunner.Run("oldrun", "q-77", "q");
        ScriptedRunner.Run foreign = new ScriptedRunner.Run("other", "x-1", "not-mine");
        runner.toAdopt.add(left);
        runner.toAdopt.add(foreign);
        LaunchAgent a = started(agent(runner, q));
        assertThat(a.activeJobs()).isEqualTo(1);
        left.finish(RunStatus.of(RunState.SUCCEEDED));
        Await.until(() -> q.terminal().size() == 1, () -> "adopted report");
        assertThat(q.events).containsExactly("complete q-77 succeeded");
        assertThat(left.reported).isTrue();
        assertThat(foreign.reported).isFalse();
    }

    @Test
    void twoAgentsInOneJvmDoNotInterfere() {
        RecordingQueue q1 = new RecordingQueue("shared-name");
        RecordingQueue q2 = new RecordingQueue("shared-name");
        ScriptedRunner r1 = new ScriptedRunner();
        ScriptedRunner r2 = new ScriptedRunner();
        r1.autoFinish = RunStatus.of(RunState.SUCCEEDED);
        r2.autoFinish = RunStatus.of(RunState.FAILED, "Error", "exit code 3");
        for (int i = 0; i < 3; i++) {
            q1.push(IMAGE_SPEC);
            q2.push(IMAGE_SPEC);
        }
        started(agent(r1, q1).name("one").maxJobs(1));
        started(agent(r2, q2).name("two").maxJobs(-1));
        Await.until(() -> q1.terminal().size() == 3 && q2.terminal().size() == 3, () -> "both drained");
        assertThat(q1.terminal()).allMatch(e -> e.startsWith("complete"));
        assertThat(q2.terminal()).allMatch(e -> e.startsWith("fail") && e.contains("exit code 3"));
        assertThat(r1.runs).hasSize(3);
        assertThat(r2.runs).hasSize(3);
    }

    @Test
    void closeLeavesRunsRunningUnlessConfiguredToCancel() {
        RecordingQueue q = new RecordingQueue("q");
        ScriptedRunner keep = new ScriptedRunner();
        Job job = q.push(IMAGE_SPEC);
        LaunchAgent a = started(agent(keep, q));
        Await.until(() -> keep.runs.containsKey(job.runId()), () -> "submission");
        a.stop(Duration.ofSeconds(5));
        assertThat(keep.runs.get(job.runId()).cancelled).isFalse();
        assertThat(q.terminal()).isEmpty();

        RecordingQueue q2 = new RecordingQueue("q2");
        ScriptedRunner cancel = new ScriptedRunner();
        Job job2 = q2.push(IMAGE_SPEC);
        LaunchAgent b = started(agent(cancel, q2).cancelRunsOnShutdown(true));
        Await.until(() -> cancel.runs.containsKey(job2.runId()), () -> "submission");
        b.stop(Duration.ofSeconds(5));
        assertThat(cancel.runs.get(job2.runId()).cancelled).isTrue();
        assertThat(q2.terminal()).containsExactly("complete q2-1 stopped");
    }

    /** Waits until the agent listens to the job's run, so events the test fires are not sent to nobody. */
    private static void awaitFollowed(ScriptedRunner runner, Job job) {
        Await.until(() -> runner.runs.containsKey(job.runId()) && !runner.runs.get(job.runId()).listeners.isEmpty(),
                () -> "the agent to follow the run");
    }

    private static void pollAFewTimes() {
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void logsTheReceivedSpecMaskedAndCutShort() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(JobPipeline.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            RecordingQueue q = new RecordingQueue("q");
            ScriptedRunner runner = new ScriptedRunner();
            Job job = q.push(IMAGE_SPEC.replace("\"project\":\"p\"", "\"project\":\"secret-api-key-123\","
                    + "\"name\":\"" + "n".repeat(1 << 20) + "\""));
            started(agent(runner, q));
            Await.until(() -> runner.runs.containsKey(job.runId()), () -> "submission");

            String received = lines.list.stream().map(e -> e.getFormattedMessage())
                    .filter(m -> m.startsWith("received job")).findFirst().orElseThrow();
            assertThat(received).doesNotContain("secret-api-key-123").contains("characters)")
                    .hasSizeLessThan(JobPipeline.MAX_SPEC_IN_LOG + 200);
        } finally {
            log.detachAppender(lines);
        }
    }
}
