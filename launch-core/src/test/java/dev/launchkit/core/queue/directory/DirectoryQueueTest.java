package dev.launchkit.core.queue.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Queue;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import dev.launchkit.core.queue.TemplateVariable;
import dev.launchkit.core.testutil.Seed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryQueueTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE_SPEC = "{\"entity\":\"team\",\"project\":\"p\",\"docker\":{\"docker_image\":\"python:3.11\"}}";

    @TempDir
    Path root;
    private DirectoryQueues queues;
    private final List<DirectoryQueue> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        queues = new DirectoryQueues(root);
    }

    @AfterEach
    void closeQueues() {
        opened.forEach(DirectoryQueue::close);
    }

    private DirectoryQueue open(String name) {
        DirectoryQueue q = queues.open(name);
        opened.add(q);
        return q;
    }

    private Path pending(String queue) {
        return root.resolve(queue).resolve("pending");
    }

    /** Drops a file as a user would, with a modification time {@code ageSeconds} in the past. */
    private Path drop(String queue, String fileName, String content, int ageSeconds) throws IOException {
        Files.createDirectories(pending(queue));
        Path f = pending(queue).resolve(fileName);
        Files.writeString(f, content);
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(ageSeconds)));
        return f;
    }

    private static Job pop(Queue q) throws InterruptedException {
        return q.poll(Duration.ZERO).orElseThrow(() -> new AssertionError("queue " + q.name() + " was empty"));
    }

    private JsonNode resultFile(String queue, String folder, String item) throws IOException {
        return JSON.readTree(root.resolve(queue).resolve(folder).resolve(item + ".result.json").toFile());
    }

    private static LaunchSpec spec(String name) {
        return LaunchSpec.parse(IMAGE_SPEC).with("name", name);
    }

    @Test
    void runsAPushedItemToDoneWithItsResultWrittenBeside() throws Exception {
        queues.create(QueueDefinition.bare("local"));
        String id = queues.push("local", spec("train"));
        DirectoryQueue q = open("local");

        Job job = pop(q);
        assertThat(Files.exists(root.resolve("local/running").resolve(id))).isTrue();
        q.ack(job, job.runId());
        q.warn(job, Stage.RUN, "first warning");
        q.warn(job, Stage.RUN, "second warning");
        q.complete(job, RunStatus.of(RunState.SUCCEEDED, "Completed", "exit code 0"));

        assertThat(job.itemId()).isEqualTo(id);
        assertThat(root.resolve("local/done").resolve(id)).exists();
        assertThat(root.resolve("local/running")).isEmptyDirectory();
        JsonNode result = resultFile("local", "done", id);
        assertThat(result.get("item").asText()).isEqualTo(id);
        assertThat(result.get("state").asText()).isEqualTo("done");
        assertThat(result.get("run_id").asText()).isEqualTo(job.runId());
        assertThat(result.get("run_state").asText()).isEqualTo("succeeded");
        assertThat(result.get("warnings")).extracting(w -> w.get("message").asText())
                .containsExactly("first warning", "second warning");
        for (String t : List.of("enqueued_at", "taken_at", "acked_at", "ended_at")) {
            assertThat(Instant.parse(result.get(t).asText())).isBeforeOrEqualTo(Instant.now());
        }
        assertThat(queues.status("local", id)).map(ItemResult::state).contains(ItemState.DONE);
    }

    @Test
    void masksASecretTheAgentKnowsInTheFailureOfAnItemThatQuotesIt() throws Exception {
        drop("local", "leaky.json", "{\"docker\":\"sk-pasted-api-key-0042\"}", 5);
        dev.launchkit.core.SecretMasker masker = new dev.launchkit.core.SecretMasker();
        masker.register("sk-pasted-api-key-0042");
        DirectoryQueue q = queues.open("local", "", Duration.ofMillis(50), masker);
        opened.add(q);

        assertThat(q.poll(Duration.ZERO)).isEmpty();

        String message = resultFile("local", "failed", "leaky.json").get("message").asText();
        assertThat(message).contains("leaky.json:1: docker: expected a mapping").doesNotContain("sk-pasted-api-key-0042");
    }

    @Test
    void movesAFailedItemToFailedWithStageAndMessage() throws Exception {
        drop("local", "job.json", IMAGE_SPEC, 5);
        DirectoryQueue q = open("local");

        Job job = pop(q);
        q.ack(job, job.runId());
        q.fail(job, Stage.RUN, "the run failed: exit code 3");
        q.fail(job, Stage.AGENT, "a retried report is ignored");

        JsonNode result = resultFile("local", "failed", "job.json");
        assertThat(result.get("state").asText()).isEqualTo("failed");
        assertThat(result.get("stage").asText()).isEqualTo("run");
        assertThat(result.get("message").asText()).isEqualTo("the run failed: exit code 3");
        assertThat(root.resolve("local/failed/job.json")).exists();
    }

    @Test
    void popsDroppedFilesByPriorityThenModificationTime() throws Exception {
        drop("q", "a.json", "{\"priority\":\"low\",\"spec\":" + IMAGE_SPEC + "}", 50);
        drop("q", "b.json", IMAGE_SPEC, 40);
        drop("q", "c.json", "{\"priority\":0,\"spec\":" + IMAGE_SPEC + "}", 30);
        drop("q", "d.json", IMAGE_SPEC, 20);
        drop("q", "e.yaml", "priority: high\nspec:\n  docker: {docker_image: 'python:3.11'}\n", 10);
        DirectoryQueue q = open("q");

        assertThat(queues.pending("q")).extracting(QueueItem::id)
                .containsExactly("c.json", "e.yaml", "b.json", "d.json", "a.json");
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            order.add(pop(q).itemId());
        }
        assertThat(order).containsExactly("c.json", "e.yaml", "b.json", "d.json", "a.json");
    }

    @Test
    void popsPushedItemsFirstInFirstOutWithinAPriority() throws Exception {
        queues.create(QueueDefinition.bare("q"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(queues.push("q", spec("n" + i)));
        }
        String urgent = queues.push("q", spec("urgent"), Priority.CRITICAL, Map.of());
        DirectoryQueue q = open("q");

        assertThat(pop(q).itemId()).isEqualTo(urgent);
        for (String id : ids) {
            assertThat(pop(q).itemId()).isEqualTo(id);
        }
    }

    @Test
    void ignoresFilePrioritiesWithAWarningWhenTheQueueDisablesThem() throws Exception {
        Files.createDirectories(root.resolve("q"));
        Files.writeString(root.resolve("q/queue.yaml"), "prioritization_mode: disabled\n");
        drop("q", "old.json", IMAGE_SPEC, 20);
        drop("q", "urgent.json", "{\"priority\":\"critical\",\"spec\":" + IMAGE_SPEC + "}", 10);
        DirectoryQueue q = open("q");

        Job first = pop(q);
        Job second = pop(q);

        assertThat(first.itemId()).isEqualTo("old.json");
        assertThat(second.itemId()).isEqualTo("urgent.json");
        assertThat(q.result("urgent.json").orElseThrow().warnings()).singleElement()
                .satisfies(w -> assertThat(w.message()).isEqualTo("priority critical was ignored: queue 'q' has "
                        + "prioritization disabled"));
        assertThatThrownBy(() -> queues.push("q", spec("x"), Priority.HIGH, Map.of()))
                .hasMessageContaining("queue 'q' has prioritization disabled");
    }

    @Test
    void picksUpAFileDroppedWhileAPollIsWaiting() throws Exception {
        DirectoryQueue q = open("q");
        CompletableFuture<Optional<Job>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return q.poll(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        Path tmp = pending("q").resolve(".late.json.tmp");
        Files.writeString(tmp, IMAGE_SPEC);
        Files.move(tmp, pending("q").resolve("late.json"), StandardCopyOption.ATOMIC_MOVE);

        assertThat(waiting.get(20, TimeUnit.SECONDS)).map(Job::itemId).contains("late.json");
    }

    @Test
    void leavesFilesBeingWrittenAloneUntilRenamed() throws Exception {
        DirectoryQueue q = open("q");
        Files.writeString(pending("q").resolve("big.json.part"), IMAGE_SPEC);
        Files.writeString(pending("q").resolve(".hidden.json"), IMAGE_SPEC);

        assertThat(q.poll(Duration.ofMillis(100))).isEmpty();
        Files.move(pending("q").resolve("big.json.part"), pending("q").resolve("big.json"));
        assertThat(q.poll(Duration.ofSeconds(20))).map(Job::itemId).contains("big.json");
    }

    @Test
    void readsAFileThatIsStillBeingWrittenOnceItIsComplete() throws Exception {
        DirectoryQueue q = open("q");
        Path f = pending("q").resolve("slow.json");
        Files.writeString(f, IMAGE_SPEC.substring(0, 20));
        CompletableFuture<Optional<Job>> polled = CompletableFuture.supplyAsync(() -> {
            try {
                return q.poll(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        dev.launchkit.core.testutil.Eventually.until(() -> Files.exists(root.resolve("q/running/slow.json")),
                () -> "the half-written file to be taken");
        Files.writeString(root.resolve("q/running/slow.json"), IMAGE_SPEC);

        assertThat(polled.get(20, TimeUnit.SECONDS)).map(Job::itemId).contains("slow.json");
    }

    @Test
    void failsMalformedFilesWithFileLineAndProblemWhileServingTheOthers() throws Exception {
        Files.createDirectories(root.resolve("q"));
        Files.writeString(root.resolve("q/queue.yaml"), """
                resource: local-process
                template_variables:
                  gpus: {type: integer, minimum: 1, maximum: 4, default: 1}
                """);
        drop("q", "broken.json", "{\n  \"entity\": \"team\"\n  \"project\": \"p\"\n}", 90);
        drop("q", "tabs.yaml", "docker:\n\tdocker_image: python\n", 80);
        drop("q", "args.yaml", "docker:\n  docker_image: python\noverrides:\n  args:\n    epochs: 3\n", 70);
        drop("q", "priority.json", "{\"priority\":\"urgent\",\"spec\":" + IMAGE_SPEC + "}", 60);
        drop("q", "envelope.json", "{\"prio\":\"high\",\"spec\":" + IMAGE_SPEC + "}", 50);
        drop("q", "gpus.yaml", "template_variables:\n  gpus: 9\nspec:\n  docker: {docker_image: python}\n", 45);
        drop("q", "noimage.json", "{\"entity\":\"team\",\"project\":\"p\"}", 40);
        drop("q", "notes.txt", "remember the milk", 30);
        drop("q", "empty.json", "", 25);
        drop("q", "good.json", IMAGE_SPEC, 20);
        DirectoryQueue q = open("q");

        List<Job> served = new ArrayList<>();
        Optional<Job> j;
        while ((j = q.poll(Duration.ZERO)).isPresent()) {
            served.add(j.get());
        }

        assertThat(served).extracting(Job::itemId).containsExactly("good.json");
        assertThat(failure("broken.json")).startsWith("q/broken.json:3: invalid JSON:");
        assertThat(failure("tabs.yaml")).isEqualTo("q/tabs.yaml:2: the line is indented with a tab, and YAML "
                + "allows only spaces for indentation; replace the tab with spaces");
        assertThat(failure("args.yaml")).isEqualTo("q/args.yaml:4: overrides.args: expected a list of strings, "
                + "got a mapping");
        assertThat(failure("priority.json")).startsWith("q/priority.json:1: priority: priority 'urgent' is not one of");
        assertThat(failure("envelope.json")).startsWith("q/envelope.json:1: prio: 'prio' is not an envelope key");
        assertThat(failure("gpus.yaml")).isEqualTo("q/gpus.yaml:2: template_variables.gpus: template variable "
                + "'gpus': 9 is above the maximum 4");
        assertThat(failure("noimage.json")).isEqualTo("q/noimage.json: the launch spec names no image and no job: "
                + "set docker.docker_image (or image_uri) to run an image, or job to run a W&B job");
        assertThat(failure("notes.txt")).startsWith("q/notes.txt: not a queue item: name item files *.json");
        assertThat(failure("empty.json")).startsWith("q/empty.json: the file is empty");
        assertThat(resultFile("q", "failed", "broken.json").get("stage").asText()).isEqualTo("agent");
        assertThat(root.resolve("q/pending")).isEmptyDirectory();
    }

    private String failure(String file) throws IOException {
        assertThat(root.resolve("q/failed").resolve(file)).exists();
        return resultFile("q", "failed", file).get("message").asText();
    }

    @Test
    void keepsItemsOfACrashedAgentInRunningForRecoveryOrRelease() throws Exception {
        queues.create(QueueDefinition.bare("q"));
        String survived = queues.push("q", spec("survived"));
        String lost = queues.push("q", spec("lost"));
        DirectoryQueue crashed = queues.open("q");
        Job a = pop(crashed);
        crashed.ack(a, a.runId());
        Job b = pop(crashed);
        crashed.close(); // the agent dies without reporting either

        DirectoryQueue next = open("q");
        assertThat(next.running()).containsExactlyInAnyOrder(survived, lost);
        assertThat(next.poll(Duration.ZERO)).isEmpty();

        Job recovered = next.recover(survived, a.runId()).orElseThrow();
        assertThat(recovered.runId()).isEqualTo(a.runId());
        assertThat(recovered.spec().name()).contains("survived");
        next.complete(recovered, RunStatus.of(RunState.SUCCEEDED));
        assertThat(resultFile("q", "done", survived).get("run_id").asText()).isEqualTo(a.runId());
        assertThat(next.recover(survived, a.runId())).isEmpty();

        assertThat(next.release(lost)).isTrue();
        Job again = pop(next);
        assertThat(again.itemId()).isEqualTo(lost);
        assertThat(again.spec().name()).isEqualTo(b.spec().name());
    }

    @Test
    void putsAResultLeftInRunningBesideItsItemOnOpen() throws Exception {
        queues.create(QueueDefinition.bare("q"));
        Path done = root.resolve("q/done");
        Files.writeString(done.resolve("x.json"), IMAGE_SPEC);
        ItemResult r = ItemResult.pending("x.json", "q", Priority.MEDIUM, Instant.now()).taken(Instant.now())
                .completed(RunStatus.of(RunState.SUCCEEDED), Instant.now());
        Files.writeString(root.resolve("q/running/x.json.result.json"), r.toJson().toString());

        open("q");

        assertThat(done.resolve("x.json.result.json")).exists();
        assertThat(root.resolve("q/running")).isEmptyDirectory();
    }

    @Test
    void requeuesAPreemptedJobAsANewPendingItemResumingTheRun() throws Exception {
        queues.create(QueueDefinition.bare("q"));
        String id = queues.push("q", spec("long").with("sweep_id", "sw1"), Priority.HIGH, Map.of());
        DirectoryQueue q = open("q");
        Job job = pop(q);
        q.ack(job, job.runId());

        assertThat(q.requeue(job)).isTrue();
        assertThat(q.requeue(job)).isTrue();
        q.complete(job, RunStatus.of(RunState.PREEMPTED, "Evicted", "spot instance reclaimed"));
        Job resumed = pop(q);

        String stem = id.substring(0, id.length() - ".json".length());
        assertThat(resumed.itemId()).isEqualTo(stem + "-resume1.json");
        assertThat(resumed.runId()).isEqualTo(job.runId());
        assertThat(resumed.spec().resumeCount()).isEqualTo(1);
        assertThat(resumed.spec().sweepId()).isEmpty();
        assertThat(resumed.attributes()).containsEntry("priority", "high");
        JsonNode original = resultFile("q", "done", id);
        assertThat(original.get("run_state").asText()).isEqualTo("preempted");
        assertThat(original.get("requeued_as").asText()).isEqualTo(resumed.itemId());
        assertThat(q.poll(Duration.ZERO)).isEmpty();
    }

    @Test
    void renamesANewFileWhoseNameAnEarlierItemHas() throws Exception {
        drop("q", "nightly.json", IMAGE_SPEC, 5);
        DirectoryQueue q = open("q");
        Job first = pop(q);
        q.complete(first, RunStatus.of(RunState.SUCCEEDED));

        drop("q", "nightly.json", IMAGE_SPEC, 1);
        Job second = pop(q);
        q.complete(second, RunStatus.of(RunState.SUCCEEDED));

        assertThat(first.itemId()).isEqualTo("nightly.json");
        assertThat(second.itemId()).matches("nightly-[a-z0-9]{6}\\.json");
        assertThat(root.resolve("q/done").resolve(second.itemId() + ".result.json")).exists();
        assertThat(root.resolve("q/done/nightly.json.result.json")).exists();
    }

    @Test
    void mergesTheQueueFileIntoDroppedItemsWithTemplateValuesFromTheEnvelope() throws Exception {
        ObjectNode config = Seed.queueK8sJob();
        ((ObjectNode) config.get("spec")).put("parallelism", "{{gpus}}");
        queues.create(QueueDefinition.of("k8s-test", "kubernetes", config,
                List.of(TemplateVariable.integer("gpus").minimum(1).maximum(4))).withEntity("team"));
        drop("k8s-test", "item.yaml", """
                priority: high
                template_variables: {gpus: 2}
                spec:
                  project: vision
                  docker: {docker_image: "python:3.11"}
                """, 1);
        DirectoryQueue q = open("k8s-test");

        Job job = pop(q);

        assertThat(job.entity()).isEqualTo("team");
        assertThat(job.spec().entity()).contains("team");
        assertThat(job.spec().resource()).contains("kubernetes");
        ObjectNode args = job.spec().resourceArgs("kubernetes");
        assertThat(args.at("/spec/parallelism").intValue()).isEqualTo(2);
        assertThat(args.at("/metadata/namespace").asText()).isEqualTo("wandb");
        assertThat(args.at("/spec/template/spec/containers/0/env/0/value").asText()).isEqualTo("some-value");
    }

    @Test
    void refusesToOpenAQueueWhoseFileIsWrongNamingTheLine() throws Exception {
        Files.createDirectories(root.resolve("q"));
        Files.writeString(root.resolve("q/queue.yaml"), "resource: kubernetes\nprioritization_mode: V7\n");

        assertThatThrownBy(() -> queues.open("q"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("q/queue.yaml:2: prioritization_mode: prioritization mode 'V7' is not one of V0, disabled");
    }

    @Test
    void administersQueuesAsFoldersWithAQueueFile() throws Exception {
        QueueDefinition k8s = QueueDefinition.of("k8s-test", "kubernetes", Seed.queueK8sJob()).withEntity("team");
        queues.create(k8s);
        queues.create(QueueDefinition.bare("local"));

        assertThat(root.resolve("k8s-test/queue.yaml")).exists();
        assertThat(new DirectoryQueues(root).get("k8s-test")).contains(k8s);
        assertThat(queues.list()).extracting(QueueDefinition::name).containsExactly("k8s-test", "local");
        assertThatThrownBy(() -> queues.create(QueueDefinition.bare("local")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> queues.push("nope", spec("x")))
                .hasMessageContaining("there is no queue named 'nope'").hasMessageContaining("k8s-test, local");

        queues.update(k8s.withEntity("other"));
        assertThat(queues.get("k8s-test")).map(QueueDefinition::entity).contains("other");

        queues.push("local", spec("x"));
        DirectoryQueue q = open("local");
        Job job = pop(q);
        assertThatThrownBy(() -> queues.delete("local")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has 1 running item(s)");
        q.complete(job, RunStatus.of(RunState.SUCCEEDED));
        assertThat(queues.delete("local")).isTrue();
        assertThat(root.resolve("local")).doesNotExist();
        assertThat(queues.delete("local")).isFalse();
    }

    @Test
    void reportsStatusOfPendingRunningAndEndedItems() throws Exception {
        queues.create(QueueDefinition.bare("q"));
        String id = queues.push("q", spec("x"), Priority.LOW, Map.of());

        assertThat(queues.status("q", id)).map(r -> r.state() + " " + r.priority()).contains("PENDING LOW");
        DirectoryQueue q = open("q");
        Job job = pop(q);
        q.ack(job, job.runId());
        assertThat(queues.status("q", id).orElseThrow().runId()).contains(job.runId());
        assertThat(queues.status("q", id).orElseThrow().state()).isEqualTo(ItemState.RUNNING);
        assertThat(queues.status("q", "unknown.json")).isEmpty();
        assertThat(queues.status("q", "../q/pending/" + id)).isEmpty();
    }

    @Test
    void providerOpensQueuesUnderTheConfiguredPath() throws Exception {
        QueueProvider provider = Plugins.load(QueueProvider.class, "queue backend").require("directory");
        LaunchContext ctx = LaunchContext.basic(Map.of());
        ObjectNode block = JSON.createObjectNode().put("type", "directory").put("path", root.toString())
                .put("poll_interval_ms", 20);
        drop("local", "a.json", IMAGE_SPEC, 1);

        try (Queue q = provider.create("local", "team", ConfigNode.of(block, "launch-config.yaml"), ctx)) {
            Job job = pop(q);
            assertThat(job.itemId()).isEqualTo("a.json");
            assertThat(job.entity()).isEqualTo("team");
        } finally {
            ctx.scheduler().shutdownNow();
        }
    }

    @Test
    void providerNamesTheMissingPathKey() {
        QueueProvider provider = new DirectoryQueueProvider();
        ObjectNode config = JSON.createObjectNode();
        config.putObject("queue_backend").put("type", "directory");
        ConfigNode block = ConfigNode.of(config, "launch-config.yaml").child("queue_backend");

        assertThatThrownBy(() -> provider.create("q", "", block, LaunchContext.basic(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("launch-config.yaml: queue_backend.path: is required for the directory queue backend: "
                        + "the folder that holds one folder per queue");
    }
}
