package dev.launchkit.examples.reliability;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.launchkit.core.AgentListener;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.config.YamlTree;
import dev.launchkit.core.queue.ItemResult;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.directory.DirectoryQueue;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import dev.launchkit.examples.reliability.MalformedInputs.Case;
import dev.launchkit.examples.reliability.MalformedInputs.Target;
import dev.launchkit.k8s.KubernetesRunner;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Bad input: malformed launch specs and queue configs ({@link MalformedInputs}) interleaved with good runs, served by
 * one in-process agent (directory queues, the kubernetes runner under {@code security: restricted}) against the
 * simulated cluster. Every bad item must end failed with a message naming what is wrong, every good one done with
 * exactly one Job, the agent must keep polling (a good item pushed after all the bad ones runs), a bad
 * {@code queue.yaml} must cost only its own queue, and none of the planted secrets (API key, registry password,
 * storage key) may appear in a result, a log line, a listener event or an object in the cluster.
 */
public final class BadInputSuite {
    private static final String MAIN = "main";
    private static final String TEMPLATED = "templated";
    /** The longest message that still reads as a message (a huge value quoted whole does not). */
    static final int MAX_MESSAGE = 2_000;
    private static final java.util.regex.Pattern FILE_LINE = java.util.regex.Pattern.compile(
            "[\\w.-]+\\.(json|ya?ml):[0-9]+");

    /** Suite size. */
    public record Settings(int cases, int goodEvery, int maxQueueConfigs, int hugeMin, int hugeMax, Duration finish,
                           long seed) {
        /** The size: over a thousand cases, huge strings of 1 to 5 MB. */
        public static Settings full() {
            return new Settings(1_050, 10, 120, 1 << 20, 5 << 20, Duration.ofMinutes(10), 9L);
        }

        /** The short version CI runs: every category, small huge strings. */
        public static Settings quick() {
            return new Settings(150, 10, 10, 64 << 10, 256 << 10, Duration.ofMinutes(2), 9L);
        }

        public Settings withSeed(long value) {
            return new Settings(cases, goodEvery, maxQueueConfigs, hugeMin, hugeMax, finish, value);
        }
    }

    /**
     * What the suite saw.
     *
     * @param cases          malformed cases fed to the agent
     * @param categories     categories they came from
     * @param failedClearly  cases that failed with a message naming what is wrong
     * @param unclear        cases that failed with a message that names nothing, quotes a huge value or shows an
     *                       internal error, or that did not fail at all
     * @param goodRuns       good items (including the one pushed last)
     * @param goodDone       good items that ended done with exactly one Job
     * @param lost           items with no terminal report at the end
     * @param duplicated     items with more than one Job
     * @param crashes        agent loop errors, internal errors and a dead or stopped poll thread
     * @param secretLeaks    places a planted secret showed up
     * @param perCategory    cases per category
     * @param problems       one line per problem, for the report
     * @param samples        the first message of each category, to show what users read
     * @param seconds        wall time
     */
    public record Result(int cases, int categories, int failedClearly, int unclear, int goodRuns, int goodDone,
                         int lost, int duplicated, int crashes, int secretLeaks, Map<String, Integer> perCategory,
                         List<String> problems, Map<String, String> samples, double seconds) {
        /** Every property held. */
        public boolean clean() {
            return unclear == 0 && goodDone == goodRuns && lost == 0 && duplicated == 0 && crashes == 0
                    && secretLeaks == 0 && failedClearly == cases;
        }
    }

    private BadInputSuite() {
    }

    /** Where the suite put each input. */
    private record Layout(Map<String, Case> badItems, Map<String, String> queueOf, List<String> goodItems,
                          Map<String, Case> badQueues, List<Case> launchConfigs) {
        int cases() {
            return badItems.size() + badQueues.size() + launchConfigs.size();
        }
    }

    /** The verdicts so far: clear and unclear cases, per category, with one line per problem. */
    private static final class Tally {
        final List<String> problems = new ArrayList<>();
        final Map<String, Integer> perCategory = new LinkedHashMap<>();
        final Map<String, String> samples = new LinkedHashMap<>();
        int clear;
        int unclear;
        int goodDone;
        int lost;
        int duplicated;
        int crashes;

        void judge(Case c, String where, String message, Optional<String> why) {
            perCategory.merge(c.category(), 1, Integer::sum);
            samples.putIfAbsent(c.category(), abbreviate(message));
            if (why.isEmpty()) {
                clear++;
            } else {
                unclear++;
                problems.add(c.category() + " " + where + ": " + why.get());
            }
        }

        void count(Optional<ItemResult> r, int jobs) {
            if (r.isEmpty() || !r.get().state().isEnded()) {
                lost++;
            }
            if (jobs > 1) {
                duplicated++;
            }
        }
    }

    /** Runs the suite in {@code work} (queues and logs go there). */
    public static Result run(Settings s, Path work) throws Exception {
        long started = System.nanoTime();
        MalformedInputs inputs = new MalformedInputs(s.seed(), s.hugeMin(), s.hugeMax());
        List<Case> cases = inputs.generate(s.cases(), s.maxQueueConfigs());
        CapturedLog log = CapturedLog.attach(secretForms());
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        Map<String, String> queueErrors = new java.util.concurrent.ConcurrentHashMap<>();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "bad-input-scheduler");
            t.setDaemon(true);
            return t;
        });
        try (SimulatedCluster cluster = SimulatedCluster.start(Duration.ofMillis(50))) {
            cluster.createNamespace(MalformedInputs.NAMESPACE);
            DirectoryQueues queues = new DirectoryQueues(work.resolve("queues"));
            Layout layout = writeInputs(cases, queues, s.goodEvery());
            LaunchContext ctx = context(scheduler, listener(events, queueErrors));
            LaunchAgent agent = agent(ctx, cluster, queues, layout);
            Tally tally = new Tally();
            try {
                agent.start();
                breakQueueConfigs(queues, layout);
                // A second agent's broken config, assembled while this one serves: a clear error, nothing else.
                Map<Case, String> configErrors = assembleConfigs(layout.launchConfigs(), work.resolve("other-agent"),
                        ctx);
                awaitEnded(queues, layout.queueOf(), s.finish());
                awaitQueueErrors(queueErrors, layout.badQueues().keySet(), Duration.ofSeconds(30));
                // The agent must still serve: a good item pushed after all the bad ones.
                String last = "99999-last-good.json";
                write(queues.root().resolve(MAIN).resolve("pending"), last, MalformedInputs.goodItem("last"),
                        System.currentTimeMillis() - 1_000);
                layout.goodItems().add(last);
                layout.queueOf().put(last, MAIN);
                awaitEnded(queues, Map.of(last, MAIN), Duration.ofSeconds(60));
                if (agent.isStopping() || !pollThreadAlive()) {
                    tally.crashes++;
                    tally.problems.add("the agent stopped polling");
                }
                Map<String, Integer> jobs = jobsPerItem(cluster.apiClient());
                judgeGoodItems(queues, layout, jobs, tally);
                judgeBadItems(queues, layout, jobs, tally);
                judgeQueueConfigs(queues, layout, queueErrors, tally);
                judgeLaunchConfigs(layout, configErrors, tally, events);
                tally.crashes += log.countErrors(m -> m.contains("agent loop error") || m.contains("unexpected error"));
                int leaks = secretLeaks(queues.root(), log, events, cluster.apiClient(), tally.problems);
                return new Result(layout.cases(), inputs.categories(), tally.clear, tally.unclear,
                        layout.goodItems().size(), tally.goodDone, tally.lost, tally.duplicated, tally.crashes, leaks,
                        tally.perCategory, tally.problems, tally.samples, (System.nanoTime() - started) / 1e9);
            } finally {
                agent.close();
            }
        } finally {
            log.detach();
            scheduler.shutdownNow();
        }
    }

    /**
     * Writes the items, oldest first (so none is young enough to be re-read as half-written): the bad ones in the
     * generator's shuffled order with a good one every {@code goodEvery}-th slot; creates the config queues.
     */
    private static Layout writeInputs(List<Case> cases, DirectoryQueues queues, int goodEvery) throws IOException {
        queues.upsert(QueueDefinition.bare(MAIN));
        write(queues.root().resolve(TEMPLATED), "queue.yaml", "resource: kubernetes\ntemplate_variables:\n"
                + "  gpus: {type: integer, minimum: 1, maximum: 4, default: 1}\nconfig:\n  metadata:\n"
                + "    namespace: " + MalformedInputs.NAMESPACE + "\n    labels: {gpus: \"g{{gpus}}\"}\n",
                System.currentTimeMillis());
        Layout l = new Layout(new LinkedHashMap<>(), new HashMap<>(), new ArrayList<>(), new LinkedHashMap<>(),
                new ArrayList<>());
        long base = System.currentTimeMillis() - 60_000;
        int slot = 0;
        for (Case c : cases) {
            if (c.target() == Target.LAUNCH_CONFIG) {
                l.launchConfigs().add(c);
                continue;
            }
            if (c.target() == Target.QUEUE_CONFIG) {
                String name = String.format("cfg-%04d", l.badQueues().size());
                queues.upsert(QueueDefinition.bare(name));
                l.badQueues().put(name, c);
                continue;
            }
            if (slot % goodEvery == 0) {
                String id = String.format("%05d-good.json", slot);
                write(queues.root().resolve(MAIN).resolve("pending"), id, MalformedInputs.goodItem("good-" + slot),
                        base + slot);
                l.goodItems().add(id);
                l.queueOf().put(id, MAIN);
                slot++;
            }
            String queue = c.target() == Target.TEMPLATED_ITEM ? TEMPLATED : MAIN;
            String id = String.format("%05d-%s.%s", slot, c.category(), c.ext());
            write(queues.root().resolve(queue).resolve("pending"), id, c.content(), base + slot);
            l.badItems().put(id, c);
            l.queueOf().put(id, queue);
            slot++;
        }
        return l;
    }

    /** The agent's context: the three planted secrets in its environment, registered with its masker. */
    private static LaunchContext context(ScheduledExecutorService scheduler, AgentListener listener) {
        Map<String, String> env = Map.of("WANDB_API_KEY", MalformedInputs.API_KEY,
                "REGISTRY_PASSWORD", MalformedInputs.REGISTRY_PASSWORD,
                "AZURE_STORAGE_KEY", MalformedInputs.STORAGE_KEY, "DATA_BUCKET", "s3://bad-input-data");
        SecretMasker masker = new SecretMasker();
        masker.register(MalformedInputs.API_KEY);
        masker.register(MalformedInputs.REGISTRY_PASSWORD);
        masker.register(MalformedInputs.STORAGE_KEY);
        return new LaunchContext(Clock.systemUTC(), scheduler, env, masker, listener, Optional.empty(),
                Optional.empty());
    }

    /** Keeps every message the agent reports, and the first error of each queue that could not be polled. */
    private static AgentListener listener(ConcurrentLinkedQueue<String> events, Map<String, String> queueErrors) {
        return new AgentListener() {
            @Override
            public void error(Job job, Stage stage, String message) {
                events.add(message);
                if (job == null && message.startsWith("queue ")) {
                    String q = message.substring(6, Math.max(6, message.indexOf(':')));
                    queueErrors.putIfAbsent(q, message);
                }
            }

            @Override
            public void warning(Job job, Stage stage, String message) {
                events.add(message);
            }

            @Override
            public void log(Job job, String line) {
                events.add(line);
            }
        };
    }

    /**
     * One agent on every queue: the kubernetes runner under {@code security: restricted}, secrets allow-listed for
     * macros (so only the masker keeps them out), queues opened as the directory provider opens them (with the
     * agent's masker).
     */
    private static LaunchAgent agent(LaunchContext ctx, SimulatedCluster cluster, DirectoryQueues queues,
                                     Layout layout) {
        ConfigNode runnerConfig = YamlTree.parse("security: restricted\n"
                + "macro_env: [DATA_BUCKET, REGISTRY_PASSWORD, AZURE_STORAGE_KEY]\n", "launch-config.yaml");
        KubernetesRunner runner = KubernetesRunner.builder(ctx).config(runnerConfig)
                .apiClient(cluster.apiClient()).agentNamespace(MalformedInputs.NAMESPACE).build();
        Duration interval = DirectoryQueues.DEFAULT_POLL_INTERVAL;
        List<DirectoryQueue> open = new ArrayList<>();
        open.add(queues.open(MAIN, "", interval, ctx.masker()));
        open.add(queues.open(TEMPLATED, "", interval, ctx.masker()));
        for (String q : layout.badQueues().keySet()) {
            open.add(queues.open(q, "", interval, ctx.masker()));
        }
        return LaunchAgent.builder().name("badinput").context(ctx).queues(open).runner(runner)
                .listener(ctx.listener()).maxJobs(16).pollWait(Duration.ofMillis(50)).build();
    }

    /** Breaks each config queue's definition while the agent polls it, then gives it a good item. */
    private static void breakQueueConfigs(DirectoryQueues queues, Layout layout) throws IOException {
        for (Map.Entry<String, Case> e : layout.badQueues().entrySet()) {
            Path dir = queues.root().resolve(e.getKey());
            write(dir, "queue.yaml", e.getValue().content(), System.currentTimeMillis() + 5_000);
            write(dir.resolve("pending"), "00000-good.json", MalformedInputs.goodItem("cfg"),
                    System.currentTimeMillis() - 10_000);
        }
    }

    private static void awaitQueueErrors(Map<String, String> queueErrors, java.util.Set<String> names,
                                         Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!queueErrors.keySet().containsAll(names) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Good items: done, with exactly one Job. */
    private static void judgeGoodItems(DirectoryQueues queues, Layout layout, Map<String, Integer> jobs, Tally t) {
        for (String id : layout.goodItems()) {
            Optional<ItemResult> r = queues.status(MAIN, id);
            int j = jobs.getOrDefault(id, 0);
            if (r.isPresent() && r.get().state() == ItemState.DONE && j == 1) {
                t.goodDone++;
            } else {
                t.problems.add("good item " + id + ": " + r.map(x -> x.state() + " " + abbreviate(x.message()))
                        .orElse("no result") + ", jobs " + j);
            }
            t.count(r, j);
        }
    }

    /** Bad items: failed, no Job, a message that names what is wrong. */
    private static void judgeBadItems(DirectoryQueues queues, Layout layout, Map<String, Integer> jobs, Tally t) {
        for (Map.Entry<String, Case> e : layout.badItems().entrySet()) {
            String id = e.getKey();
            Optional<ItemResult> r = queues.status(layout.queueOf().get(id), id);
            int j = jobs.getOrDefault(id, 0);
            t.count(r, j);
            boolean failed = r.isPresent() && r.get().state() == ItemState.FAILED && j == 0;
            t.judge(e.getValue(), id, r.map(ItemResult::message).orElse(""), failed ? unclearBecause(r.get().message(), e.getValue())
                    : Optional.of("did not fail: " + r.map(x -> x.state() + " " + abbreviate(x.message()))
                    .orElse("no result") + ", jobs " + j));
            if (r.isPresent() && r.get().message().contains("internal error")) {
                t.crashes++;
            }
        }
    }

    /** Broken queue definitions: a reported error naming queue.yaml and the key or line; their item left alone. */
    private static void judgeQueueConfigs(DirectoryQueues queues, Layout layout, Map<String, String> queueErrors,
                                          Tally t) {
        for (Map.Entry<String, Case> e : layout.badQueues().entrySet()) {
            String message = queueErrors.get(e.getKey());
            Optional<String> why = message == null ? Optional.of("no error reported for the queue")
                    : unclearBecause(message, e.getValue());
            if (message != null && !message.contains("queue.yaml")) {
                why = Optional.of("does not name queue.yaml: " + abbreviate(message));
            }
            if (!Files.exists(queues.root().resolve(e.getKey()).resolve("pending").resolve("00000-good.json"))) {
                why = Optional.of("its item was taken although the queue definition is broken");
            }
            t.judge(e.getValue(), e.getKey(), message == null ? "" : message, why);
        }
    }

    /** Broken agent configs: a config error naming launch-config.yaml and the key or line. */
    private static void judgeLaunchConfigs(Layout layout, Map<Case, String> configErrors, Tally t,
                                           ConcurrentLinkedQueue<String> events) {
        for (Case c : layout.launchConfigs()) {
            String message = configErrors.get(c);
            Optional<String> why = message.startsWith("accepted") || message.startsWith("not a config error")
                    ? Optional.of(message) : unclearBecause(message, c);
            if (why.isEmpty() && !message.contains("launch-config.yaml")) {
                why = Optional.of("does not name launch-config.yaml: " + abbreviate(message));
            }
            t.judge(c, "", message, why);
            events.add(message);
        }
    }

    /** Each config through {@link LaunchConfig#parse} and {@link LaunchAgent#fromConfig}: the error it gave. */
    private static Map<Case, String> assembleConfigs(List<Case> configs, Path dir, LaunchContext ctx)
            throws IOException {
        Files.createDirectories(dir);
        Map<Case, String> out = new java.util.IdentityHashMap<>();
        for (Case c : configs) {
            String text = c.content().replace("PATH", dir.toString());
            try {
                LaunchAgent other = LaunchAgent.fromConfig(LaunchConfig.parse(text, "launch-config.yaml", ctx.env()),
                        ctx);
                other.close();
                out.put(c, "accepted: " + abbreviate(text));
            } catch (ConfigException e) {
                out.put(c, e.getMessage()); // unmasked on purpose: the leak scan looks at it
            } catch (RuntimeException e) {
                out.put(c, "not a config error: " + e);
            }
        }
        return out;
    }

    /** Why a failure message is not clear: it names nothing the case needs, is huge, or shows an internal error. */
    static Optional<String> unclearBecause(String message, Case c) {
        if (message.isBlank()) {
            return Optional.of("empty message");
        }
        if (message.length() > MAX_MESSAGE) {
            return Optional.of("message of " + message.length() + " characters: " + abbreviate(message));
        }
        String lower = message.toLowerCase(Locale.ROOT);
        for (String word : c.mustName()) {
            if (word.equals(MalformedInputs.FILE_LINE)) {
                if (!FILE_LINE.matcher(message).find()) {
                    return Optional.of("does not name the file and line: " + abbreviate(message));
                }
            } else if (!lower.contains(word.toLowerCase(Locale.ROOT))) {
                return Optional.of("does not name '" + word + "': " + abbreviate(message));
            }
        }
        if (lower.contains("internal error") || message.contains("Exception:") || message.contains("java.")) {
            return Optional.of("shows an internal error: " + abbreviate(message));
        }
        return Optional.empty();
    }

    static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 300 ? one : one.substring(0, 300) + "... (" + one.length() + " chars)";
    }

    private static void write(Path dir, String name, String content, long mtime) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(tmp, FileTime.fromMillis(mtime));
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitEnded(DirectoryQueues queues, Map<String, String> queueOf, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> open = new ArrayList<>(queueOf.keySet());
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            open.removeIf(id -> queues.status(queueOf.get(id), id).map(r -> r.state().isEnded()).orElse(false));
            if (!open.isEmpty()) {
                Thread.sleep(100);
            }
        }
    }

    private static boolean pollThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("launch-agent-badinput-poll") && t.isAlive());
    }

    private static Map<String, Integer> jobsPerItem(ApiClient client) throws ApiException {
        Map<String, Integer> jobs = new HashMap<>();
        for (V1Job j : new BatchV1Api(client).listJobForAllNamespaces().execute().getItems()) {
            Map<String, String> a = j.getMetadata().getAnnotations();
            String item = a == null ? null : a.get(Workload.ITEM_ANNOTATION);
            if (item != null) {
                jobs.merge(item, 1, Integer::sum);
            }
        }
        return jobs;
    }

    /** The planted secrets, plain and base64 (as a Secret's data or a docker config would hold them). */
    static List<String> secretForms() {
        List<String> out = new ArrayList<>();
        for (String secret : List.of(MalformedInputs.API_KEY, MalformedInputs.REGISTRY_PASSWORD,
                MalformedInputs.STORAGE_KEY)) {
            out.add(secret);
            out.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** Counts the places a planted secret (plain or base64) shows up outside a Secret. */
    private static int secretLeaks(Path root, CapturedLog log, ConcurrentLinkedQueue<String> events,
                                   ApiClient client, List<String> problems) throws IOException, ApiException {
        Map<String, String> where = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".result.json")).toList()) {
                where.put("result " + root.relativize(f), Files.readString(f));
            }
        }
        log.leaks().forEach(l -> problems.add("secret in the agent log: " + l));
        int leaks = log.leaks().size();
        where.put("listener events", String.join("\n", events));
        var json = client.getJSON();
        for (V1Job j : new BatchV1Api(client).listJobForAllNamespaces().execute().getItems()) {
            where.put("Job " + j.getMetadata().getNamespace() + "/" + j.getMetadata().getName(), json.serialize(j));
        }
        CoreV1Api core = new CoreV1Api(client);
        core.listPodForAllNamespaces().execute().getItems().forEach(p ->
                where.put("Pod " + p.getMetadata().getName(), json.serialize(p)));
        core.listConfigMapForAllNamespaces().execute().getItems().forEach(c ->
                where.put("ConfigMap " + c.getMetadata().getName(), json.serialize(c)));
        core.listEventForAllNamespaces().execute().getItems().forEach(e ->
                where.put("Event " + e.getMetadata().getName(), json.serialize(e)));
        for (String secret : secretForms()) {
            for (Map.Entry<String, String> e : where.entrySet()) {
                if (e.getValue().contains(secret)) {
                    leaks++;
                    problems.add("secret " + secret.substring(0, 6) + "... in " + e.getKey());
                }
            }
        }
        return leaks;
    }

    /**
     * The agent's log while the suite runs (every logger but the mock API server's): counts error events and the
     * lines (with stack traces) that hold a planted secret, without keeping megabytes of huge-value log text.
     */
    static final class CapturedLog extends AppenderBase<ILoggingEvent> {
        private final ConcurrentLinkedQueue<ILoggingEvent> errors = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
        private final List<String> secrets;
        private Logger root;

        private CapturedLog(List<String> secrets) {
            this.secrets = secrets;
        }

        static CapturedLog attach(List<String> secrets) {
            CapturedLog c = new CapturedLog(secrets);
            c.root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            c.setContext(c.root.getLoggerContext());
            c.setName("bad-input-capture");
            c.start();
            c.root.addAppender(c);
            return c;
        }

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLoggerName().startsWith("io.fabric8") || e.getLoggerName().startsWith("okhttp3.mockwebserver")) {
                return; // the mock API server's own request log, not the agent's
            }
            if (e.getLevel().toInt() >= ch.qos.logback.classic.Level.ERROR_INT) {
                errors.add(e);
            }
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String s : secrets) {
                if (line.contains(s)) {
                    leaks.add(e.getLoggerName() + ": " + abbreviate(line.replace(s, "<" + s.substring(0, 6) + "...>")));
                }
            }
        }

        int countErrors(java.util.function.Predicate<String> p) {
            return (int) errors.stream().map(ILoggingEvent::getFormattedMessage).filter(p).count();
        }

        List<String> leaks() {
            return List.copyOf(leaks);
        }

        void detach() {
            root.detachAppender(this);
            stop();
        }
    }
}
