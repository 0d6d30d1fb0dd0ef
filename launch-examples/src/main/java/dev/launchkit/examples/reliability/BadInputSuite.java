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
     * @param seconds        wall time
     */
    public record Result(int cases, int categories, int failedClearly, int unclear, int goodRuns, int goodDone,
                         int lost, int duplicated, int crashes, int secretLeaks, Map<String, Integer> perCategory,
                         List<String> problems, double seconds) {
        /** Every property held. */
        public boolean clean() {
            return unclear == 0 && goodDone == goodRuns && lost == 0 && duplicated == 0 && crashes == 0
                    && secretLeaks == 0 && failedClearly == cases;
        }
    }

    private BadInputSuite() {
    }

    /** Runs the suite in {@code work} (queues and logs go there). */
    public static Result run(Settings s, Path work) throws Exception {
        long started = System.nanoTime();
        MalformedInputs inputs = new MalformedInputs(s.seed(), s.hugeMin(), s.hugeMax());
        List<Case> cases = inputs.generate(s.cases(), s.maxQueueConfigs());
        List<String> problems = new ArrayList<>();
        CapturedLog log = CapturedLog.attach(secretForms());
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "bad-input-scheduler");
            t.setDaemon(true);
            return t;
        });
        try (SimulatedCluster cluster = SimulatedCluster.start(Duration.ofMillis(50))) {
            cluster.createNamespace(MalformedInputs.NAMESPACE);
            DirectoryQueues queues = new DirectoryQueues(work.resolve("queues"));
            queues.upsert(QueueDefinition.bare(MAIN));
            Path templatedDef = work.resolve("queues").resolve(TEMPLATED).resolve("queue.yaml");
            Files.createDirectories(templatedDef.getParent());
            Files.writeString(templatedDef, "resource: kubernetes\ntemplate_variables:\n"
                    + "  gpus: {type: integer, minimum: 1, maximum: 4, default: 1}\nconfig:\n  metadata:\n"
                    + "    namespace: " + MalformedInputs.NAMESPACE + "\n    labels: {gpus: \"g{{gpus}}\"}\n");

            // Items: bad ones in shuffled order with a good one every goodEvery-th slot, oldest first.
            Map<String, Case> badItems = new LinkedHashMap<>();
            Map<String, String> badItemQueue = new HashMap<>();
            List<String> goodItems = new ArrayList<>();
            Map<String, Case> badQueues = new LinkedHashMap<>();
            List<Case> launchConfigs = new ArrayList<>();
            long base = System.currentTimeMillis() - 60_000;
            int slot = 0;
            int n = 0;
            for (Case c : cases) {
                if (c.target() == Target.LAUNCH_CONFIG) {
                    launchConfigs.add(c);
                    continue;
                }
                if (c.target() == Target.QUEUE_CONFIG) {
                    badQueues.put(String.format("cfg-%04d", badQueues.size()), c);
                    continue;
                }
                if (slot % s.goodEvery() == 0) {
                    String id = String.format("%05d-good.json", slot);
                    write(queues.root().resolve(MAIN).resolve("pending"), id, MalformedInputs.goodItem("good-" + slot),
                            base + slot);
                    goodItems.add(id);
                    slot++;
                }
                String queue = c.target() == Target.TEMPLATED_ITEM ? TEMPLATED : MAIN;
                String id = String.format("%05d-%s.%s", slot, c.category(), c.ext());
                write(queues.root().resolve(queue).resolve("pending"), id, c.content(), base + slot);
                badItems.put(id, c);
                badItemQueue.put(id, queue);
                slot++;
                n++;
            }

            Map<String, String> env = Map.of("WANDB_API_KEY", MalformedInputs.API_KEY,
                    "REGISTRY_PASSWORD", MalformedInputs.REGISTRY_PASSWORD,
                    "AZURE_STORAGE_KEY", MalformedInputs.STORAGE_KEY, "DATA_BUCKET", "s3://bad-input-data");
            SecretMasker masker = new SecretMasker();
            masker.register(MalformedInputs.API_KEY);
            masker.register(MalformedInputs.REGISTRY_PASSWORD);
            masker.register(MalformedInputs.STORAGE_KEY);
            Map<String, String> queueErrors = new java.util.concurrent.ConcurrentHashMap<>();
            AgentListener listener = new AgentListener() {
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
            LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, env, masker, listener,
                    Optional.empty(), Optional.empty());
            ConfigNode runnerConfig = YamlTree.parse("security: restricted\n"
                    + "macro_env: [DATA_BUCKET, REGISTRY_PASSWORD, AZURE_STORAGE_KEY]\n", "launch-config.yaml");
            KubernetesRunner runner = KubernetesRunner.builder(ctx).config(runnerConfig)
                    .apiClient(cluster.apiClient()).agentNamespace(MalformedInputs.NAMESPACE).build();
            List<DirectoryQueue> open = new ArrayList<>();
            // As the directory provider opens them for an assembled agent: with the agent's secrets to mask.
            Duration interval = DirectoryQueues.DEFAULT_POLL_INTERVAL;
            open.add(queues.open(MAIN, "", interval, masker));
            open.add(queues.open(TEMPLATED, "", interval, masker));
            for (String q : badQueues.keySet()) {
                queues.upsert(QueueDefinition.bare(q));
                open.add(queues.open(q, "", interval, masker));
            }
            LaunchAgent agent = LaunchAgent.builder().name("badinput").context(ctx).queues(open).runner(runner)
                    .listener(listener).maxJobs(16).pollWait(Duration.ofMillis(50)).build();
            int crashes = 0;
            try {
                agent.start();
                // Break each config queue's definition while the agent polls it, and give it a good item.
                for (Map.Entry<String, Case> e : badQueues.entrySet()) {
                    Path dir = queues.root().resolve(e.getKey());
                    write(dir, "queue.yaml", e.getValue().content(), System.currentTimeMillis() + 5_000);
                    write(dir.resolve("pending"), "00000-good.json", MalformedInputs.goodItem("cfg"),
                            System.currentTimeMillis() - 10_000);
                }
                // A second agent's broken config, assembled while this one serves: a clear error, nothing else.
                Map<Case, String> configErrors = assembleConfigs(launchConfigs, work.resolve("other-agent"), ctx);
                List<String> all = new ArrayList<>(goodItems);
                all.addAll(badItems.keySet());
                Map<String, String> queueOf = new HashMap<>(badItemQueue);
                goodItems.forEach(id -> queueOf.put(id, MAIN));
                awaitEnded(queues, all, queueOf, s.finish());
                // Wait for every config queue to have reported its error at least once.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!queueErrors.keySet().containsAll(badQueues.keySet()) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                // The agent must still serve: a good item pushed after all the bad ones.
                String last = "99999-last-good.json";
                write(queues.root().resolve(MAIN).resolve("pending"), last, MalformedInputs.goodItem("last"),
                        System.currentTimeMillis() - 1_000);
                goodItems.add(last);
                queueOf.put(last, MAIN);
                awaitEnded(queues, List.of(last), queueOf, Duration.ofSeconds(60));
                if (agent.isStopping() || !pollThreadAlive()) {
                    crashes++;
                    problems.add("the agent stopped polling");
                }
                Map<String, Integer> jobs = jobsPerItem(cluster.apiClient());
                int lost = 0;
                int duplicated = 0;
                int goodDone = 0;
                for (String id : goodItems) {
                    Optional<ItemResult> r = queues.status(MAIN, id);
                    int j = jobs.getOrDefault(id, 0);
                    if (r.isPresent() && r.get().state() == ItemState.DONE && j == 1) {
                        goodDone++;
                    } else {
                        problems.add("good item " + id + ": " + r.map(x -> x.state() + " " + x.message())
                                .orElse("no result") + ", jobs " + j);
                    }
                    if (r.isEmpty() || !r.get().state().isEnded()) {
                        lost++;
                    }
                    if (j > 1) {
                        duplicated++;
                    }
                }
                int clear = 0;
                int unclear = 0;
                Map<String, Integer> perCategory = new LinkedHashMap<>();
                for (Map.Entry<String, Case> e : badItems.entrySet()) {
                    String id = e.getKey();
                    Case c = e.getValue();
                    perCategory.merge(c.category(), 1, Integer::sum);
                    Optional<ItemResult> r = queues.status(badItemQueue.get(id), id);
                    int j = jobs.getOrDefault(id, 0);
                    if (r.isEmpty() || !r.get().state().isEnded()) {
                        lost++;
                    }
                    if (j > 1) {
                        duplicated++;
                    }
                    Optional<String> why = r.isPresent() && r.get().state() == ItemState.FAILED && j == 0
                            ? unclearBecause(r.get().message(), c) : Optional.of("did not fail: "
                            + r.map(x -> x.state() + " " + abbreviate(x.message())).orElse("no result") + ", jobs " + j);
                    if (why.isEmpty()) {
                        clear++;
                    } else {
                        unclear++;
                        problems.add(c.category() + " " + id + ": " + why.get());
                    }
                    if (r.isPresent() && r.get().message().contains("internal error")) {
                        crashes++;
                    }
                }
                for (Map.Entry<String, Case> e : badQueues.entrySet()) {
                    Case c = e.getValue();
                    perCategory.merge(c.category(), 1, Integer::sum);
                    String message = queueErrors.get(e.getKey());
                    Optional<String> why = message == null ? Optional.of("no error reported for the queue")
                            : unclearBecause(message, c);
                    if (message != null && !message.contains("queue.yaml")) {
                        why = Optional.of("does not name queue.yaml: " + abbreviate(message));
                    }
                    boolean untouched = Files.exists(queues.root().resolve(e.getKey()).resolve("pending")
                            .resolve("00000-good.json"));
                    if (!untouched) {
                        why = Optional.of("its item was taken although the queue definition is broken");
                    }
                    if (why.isEmpty()) {
                        clear++;
                    } else {
                        unclear++;
                        problems.add(c.category() + " " + e.getKey() + ": " + why.get());
                    }
                }
                for (Case c : launchConfigs) {
                    perCategory.merge(c.category(), 1, Integer::sum);
                    String message = configErrors.get(c);
                    Optional<String> why = message.startsWith("accepted") || message.startsWith("not a config error")
                            ? Optional.of(message) : unclearBecause(message, c);
                    if (why.isEmpty() && !message.contains("launch-config.yaml")) {
                        why = Optional.of("does not name launch-config.yaml: " + abbreviate(message));
                    }
                    if (why.isEmpty()) {
                        clear++;
                    } else {
                        unclear++;
                        problems.add(c.category() + ": " + why.get());
                    }
                    events.add(message);
                }
                crashes += log.countErrors(m -> m.contains("agent loop error") || m.contains("unexpected error"));
                int leaks = secretLeaks(queues.root(), log, events, cluster.apiClient(), problems);
                return new Result(badItems.size() + badQueues.size() + launchConfigs.size(), inputs.categories(), clear, unclear,
                        goodItems.size(), goodDone, lost, duplicated, crashes, leaks, perCategory, problems,
                        (System.nanoTime() - started) / 1e9);
            } finally {
                agent.close();
            }
        } finally {
            log.detach();
            scheduler.shutdownNow();
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

    private static void awaitEnded(DirectoryQueues queues, List<String> items, Map<String, String> queueOf,
                                   Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> open = new ArrayList<>(items);
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
