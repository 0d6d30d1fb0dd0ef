package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An in-process W&B server for tests: the GraphQL operations of the launch protocol, over real HTTP on
 * {@code 127.0.0.1} (random ports), with in-memory entities, run queues (resource config, template variables,
 * priorities), items, launch agents, runs, sweeps and artifacts, and a second listener that serves artifact files
 * over signed URLs the way cloud storage does.
 *
 * <p>It answers the operations named in the W&B launch reference ({@code wandb-launch-agent.md} §3) with the same
 * operation names, variables and response shapes as the real server, and records every request so tests can
 * assert exact call sequences. It does not parse GraphQL selection sets: each operation answers with all the
 * fields the W&B SDK reads. Required variables are checked, so a client that sends the wrong variable names fails
 * as it would against W&B.
 *
 * <pre>{@code
 * try (FakeWandbServer wandb = FakeWandbServer.start()) {
 *     wandb.addTeam("my-team");
 *     wandb.createQueueFromYaml("my-team", "k8s-test", "kubernetes", seedQueueYaml);
 *     String item = wandb.pushItem("my-team", "k8s-test", spec);
 *     // point the agent at it: WANDB_BASE_URL / WANDB_API_KEY from wandb.agentEnv()
 *     ...
 *     assertThat(wandb.operations()).startsWith("Viewer", "ProjectRunQueues", "createLaunchAgent");
 *     assertThat(wandb.item(item).orElseThrow().state()).isEqualTo("CLAIMED");
 * }
 * }</pre>
 *
 * <p>Authentication is HTTP basic auth with user {@code api} and the API key as password, as the Python SDK sends
 * it; {@link #apiKey()} is accepted, others get HTTP 401. Faults ({@link #inject}) answer chosen operations with
 * HTTP errors, malformed JSON or GraphQL errors. See {@code launch-testkit/WANDB-FAKE.md} for the full list of
 * operations and helpers.
 *
 * <p>Thread-safe. Close it to free its ports.
 */
public final class FakeWandbServer implements AutoCloseable {
    /** The API key {@link #start()} accepts (40 characters, like a real W&B key). */
    public static final String DEFAULT_API_KEY = "fakewandbkey" + "0123456789abcdef0123456789ab";
    /** The user of {@link #DEFAULT_API_KEY}; it is also that user's default entity. */
    public static final String DEFAULT_USER = "fake-user";
    /** The project launch queues live in. */
    public static final String PROJECT = "model-registry";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OPERATION = Pattern.compile("^\\s*(?:query|mutation)\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final char[] STORE_PASSWORD = "fake-wandb-store".toCharArray();

    private final HttpServer api;
    private final HttpServer storage;
    private final ExecutorService executor;
    private final WandbModel model;
    private final SignedUrls signer;
    private final Path caBundle;
    private final List<RecordedCall> calls = new ArrayList<>();
    private final List<FaultRule> faults = new ArrayList<>();

    private FakeWandbServer(SSLContext tls, Path caBundle) throws IOException {
        this.caBundle = caBundle;
        Clock clock = Clock.systemUTC();
        this.signer = new SignedUrls(clock);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-wandb");
            t.setDaemon(true);
            return t;
        });
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        this.api = tls == null ? HttpServer.create(any, 64) : https(any, tls);
        this.storage = tls == null ? HttpServer.create(any, 64) : https(any, tls);
        this.model = new WandbModel(clock, signer, path -> storageUrl() + path);
        api.createContext("/graphql", this::graphql);
        storage.createContext("/", this::download);
        api.setExecutor(executor);
        storage.setExecutor(executor);
        api.start();
        storage.start();
        model.addUser(DEFAULT_API_KEY, DEFAULT_USER, DEFAULT_USER);
    }

    private static HttpsServer https(InetSocketAddress address, SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(address, 64);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return s;
    }

    /** Starts a plain-HTTP server on {@code 127.0.0.1} with random ports. */
    public static FakeWandbServer start() {
        try {
            return new FakeWandbServer(null, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake W&B server: " + e.getMessage(), e);
        }
    }

    /**
     * Starts an HTTPS server with a fresh self-signed certificate for {@code 127.0.0.1} (made with the JDK's
     * {@code keytool}) written to {@code dir}; {@link #caBundle()} is its PEM, for {@code REQUESTS_CA_BUNDLE}.
     */
    public static FakeWandbServer startTls(Path dir) {
        try {
            Path store = dir.resolve("fake-wandb.p12");
            Path pem = dir.resolve("fake-wandb-ca.pem");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            keytool(List.of(keytool, "-genkeypair", "-alias", "wandb", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", new String(STORE_PASSWORD)));
            keytool(List.of(keytool, "-exportcert", "-rfc", "-alias", "wandb", "-keystore", store.toString(),
                    "-storepass", new String(STORE_PASSWORD), "-file", pem.toString()));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, STORE_PASSWORD);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, STORE_PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new FakeWandbServer(ctx, pem);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the fake W&B server with TLS: " + e.getMessage(), e);
        }
    }

    private static void keytool(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }

    // ---------------------------------------------------------------- addresses and credentials

    /** {@code http://127.0.0.1:<port>} (or https), the value for {@code WANDB_BASE_URL}. */
    public String baseUrl() {
        return scheme() + "://127.0.0.1:" + api.getAddress().getPort();
    }

    /** The storage listener that serves signed artifact URLs (a different origin from {@link #baseUrl()}). */
    public String storageUrl() {
        return scheme() + "://127.0.0.1:" + storage.getAddress().getPort();
    }

    private String scheme() {
        return api instanceof HttpsServer ? "https" : "http";
    }

    /** The API key the server accepts for {@link #DEFAULT_USER}. */
    public String apiKey() {
        return DEFAULT_API_KEY;
    }

    /** The PEM of the self-signed certificate of a {@link #startTls} server. */
    public Optional<Path> caBundle() {
        return Optional.ofNullable(caBundle);
    }

    /**
     * The environment an agent needs to talk to this server: {@code WANDB_BASE_URL}, {@code WANDB_API_KEY} and,
     * for a TLS server, {@code REQUESTS_CA_BUNDLE}.
     */
    public Map<String, String> agentEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("WANDB_BASE_URL", baseUrl());
        env.put("WANDB_API_KEY", apiKey());
        caBundle().ifPresent(p -> env.put("REQUESTS_CA_BUNDLE", p.toString()));
        return Map.copyOf(env);
    }

    // ---------------------------------------------------------------- seeding

    /** Accepts another API key, for a user whose default entity is {@code defaultEntity}. */
    public FakeWandbServer addUser(String apiKey, String username, String defaultEntity) {
        model.addUser(apiKey, username, defaultEntity);
        return this;
    }

    /** Adds a user entity (not a team). */
    public FakeWandbServer addEntity(String name) {
        model.addEntity(name, false);
        return this;
    }

    /** Adds a team entity ({@code EntityIsTeam} answers true; agents warn about it). */
    public FakeWandbServer addTeam(String name) {
        model.addEntity(name, true);
        return this;
    }

    /** Creates a queue without a resource config in {@code entity}/{@value #PROJECT}; returns its id. */
    public String createQueue(String entity, String name) {
        return model.createQueue(entity, PROJECT, name, "", null, List.of(), false, DEFAULT_USER);
    }

    /**
     * Creates a queue whose default resource config is {@code config} for {@code resource} (stored as
     * {@code {"resource_args": {<resource>: config}}}); returns its id.
     */
    public String createQueue(String entity, String name, String resource, JsonNode config) {
        return model.createQueue(entity, PROJECT, name, resource, config, List.of(), false, DEFAULT_USER);
    }

    /**
     * Creates a queue with a resource config that may hold {@code {{name}}} template variables, and optionally
     * priority ordering ({@code prioritizationMode: V0}); returns its id.
     */
    public String createQueue(String entity, String name, String resource, JsonNode config,
                              List<TemplateVariable> templateVariables, boolean prioritized) {
        return model.createQueue(entity, PROJECT, name, resource, config, templateVariables, prioritized,
                DEFAULT_USER);
    }

    /** Like {@link #createQueue(String, String, String, JsonNode)} with the config given as YAML (the seed's file). */
    public String createQueueFromYaml(String entity, String name, String resource, String yaml) {
        return createQueue(entity, name, resource, yaml(yaml));
    }

    /** Parses YAML (or JSON) text into a tree, for configs and specs. */
    public static JsonNode yaml(String text) {
        try {
            return new YAMLMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** Parses JSON text into a tree. */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Pushes an item as {@code pushToRunQueueByName} would (the queue config is merged in, priority medium);
     * returns its {@code runQueueItemId}.
     */
    public String pushItem(String entity, String queue, JsonNode runSpec) {
        return pushItem(entity, queue, runSpec, 2, Map.of());
    }

    /**
     * Pushes an item with a priority (0 critical … 3 low) and template variable values; returns its id.
     *
     * @throws IllegalArgumentException when the server would refuse it (bad template value, unknown variable)
     */
    public String pushItem(String entity, String queue, JsonNode runSpec, int priority,
                           Map<String, Object> templateValues) {
        try {
            return model.push(entity, PROJECT, queue, runSpec, priority, JSON.valueToTree(templateValues));
        } catch (GraphqlError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Stores an item whose runSpec is exactly {@code text} (malformed JSON, a JSON string, ...); returns its id. */
    public String pushRawItem(String entity, String queue, String text) {
        return model.pushRaw(entity, PROJECT, queue, text);
    }

    /** Makes {@code popFromRunQueue} return runSpec as a JSON string instead of an object (both happen in W&B). */
    public FakeWandbServer runSpecAsString(boolean value) {
        model.runSpecAsString(value);
        return this;
    }

    /**
     * Makes every {@code ackRunQueueItem} create the run in state {@code running}, as if the launched code called
     * {@code wandb.init}; useful when the runner cannot run real W&B code (the simulated cluster).
     */
    public FakeWandbServer initRunsOnAck(boolean value) {
        model.initRunsOnAck(value);
        return this;
    }

    /** Creates or updates a run (what {@code wandb.init} and the run's end would do). */
    public FakeWandbServer setRunState(String entity, String project, String runId, String state) {
        model.setRun(entity, project, runId, state, null);
        return this;
    }

    /** Marks a run as stopped from the UI ({@code RunStoppedStatus} answers true); creates it when absent. */
    public FakeWandbServer markRunStopped(String entity, String project, String runId) {
        model.setRun(entity, project, runId, null, true);
        return this;
    }

    /** Sets a sweep's state ({@code RUNNING}, {@code PAUSED}, {@code FINISHED}, {@code CANCELED}, ...). */
    public FakeWandbServer setSweepState(String entity, String project, String sweepId, String state) {
        model.setSweepState(entity, project, sweepId, state);
        return this;
    }

    /** Sets {@code stopPolling} on an agent, as the UI's stop button does. */
    public FakeWandbServer stopPolling(String agentId) {
        model.stopPolling(agentId);
        return this;
    }

    /**
     * Logs a job artifact ({@code type: job}) with its {@code wandb-job.json} and the usual
     * {@code requirements.frozen.txt}, plus {@code extraFiles} (e.g. {@code diff.patch}); aliases {@code latest} and
     * {@code v<n>} are set. Returns the artifact id.
     *
     * @param name the collection name, e.g. {@code job-train} (referenced as {@code entity/project/job-train:v0})
     */
    public String addJobArtifact(String entity, String project, String name, JsonNode wandbJob,
                                 Map<String, byte[]> extraFiles) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("wandb-job.json", wandbJob.toString().getBytes(StandardCharsets.UTF_8));
        files.put("requirements.frozen.txt", "wandb==0.28.3\n".getBytes(StandardCharsets.UTF_8));
        files.putAll(extraFiles);
        return model.addArtifact(entity, project, name, "job", List.of(), files);
    }

    /** Logs a code artifact ({@code type: code}) holding {@code files}; returns its id. */
    public String addCodeArtifact(String entity, String project, String name, Map<String, byte[]> files) {
        return model.addArtifact(entity, project, name, "code", List.of(), files);
    }

    /** Logs an artifact of any type with extra aliases; returns its id. */
    public String addArtifact(String entity, String project, String name, String type, List<String> aliases,
                              Map<String, byte[]> files) {
        return model.addArtifact(entity, project, name, type, aliases, files);
    }

    /** Marks an artifact deleted (state {@code DELETED}). */
    public FakeWandbServer deleteArtifact(String artifactId) {
        model.deleteArtifact(artifactId);
        return this;
    }

    /** How long signed URLs stay valid (default 15 minutes); zero or negative makes new URLs expired at once. */
    public FakeWandbServer signedUrlTtl(Duration ttl) {
        signer.ttl(ttl);
        return this;
    }

    // ---------------------------------------------------------------- faults

    /**
     * Answers the next {@code times} calls of {@code operation} with {@code fault}. {@code operation} is a GraphQL
     * operation name, {@code download} for signed-URL downloads, or {@code *} for any call.
     */
    public FakeWandbServer inject(String operation, Fault fault, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        synchronized (faults) {
            faults.add(new FaultRule(operation, fault, times));
        }
        return this;
    }

    /** Answers every call of {@code operation} with {@code fault} until {@link #clearFaults()}. */
    public FakeWandbServer injectAlways(String operation, Fault fault) {
        synchronized (faults) {
            faults.add(new FaultRule(operation, fault, -1));
        }
        return this;
    }

    /** Removes every injected fault. */
    public FakeWandbServer clearFaults() {
        synchronized (faults) {
            faults.clear();
        }
        return this;
    }

    private Optional<Fault> takeFault(String operation) {
        synchronized (faults) {
            for (FaultRule rule : faults) {
                if (rule.matches(operation)) {
                    if (rule.remaining > 0 && --rule.remaining == 0) {
                        faults.remove(rule);
                    }
                    return Optional.of(rule.fault);
                }
            }
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- recorded calls

    /** Every call received so far, in arrival order. */
    public List<RecordedCall> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The calls of one GraphQL operation, in order. */
    public List<RecordedCall> calls(String operation) {
        return calls().stream().filter(c -> c.operation().equals(operation)).toList();
    }

    /** The GraphQL operation names received so far, in order (downloads left out). */
    public List<String> operations() {
        return calls().stream().filter(c -> c.kind() == RecordedCall.Kind.GRAPHQL).map(RecordedCall::operation)
                .toList();
    }

    /**
     * The GraphQL operation names without the agent's idle polling, for comparing an agent's job handling with the
     * Python agent's (§3.2) regardless of how many idle ticks happened: {@code LaunchAgent} queries after the
     * first, {@code popFromRunQueue} calls that returned no item, and {@code updateLaunchAgent} calls that repeat
     * the status the agent last sent (the periodic ones) are left out. Registration and everything about items
     * stays, in order.
     */
    public List<String> operationsWithoutIdlePolling() {
        List<String> out = new ArrayList<>();
        boolean agentSeen = false;
        Map<String, String> lastStatus = new java.util.HashMap<>();
        for (RecordedCall c : calls()) {
            if (c.kind() != RecordedCall.Kind.GRAPHQL) {
                continue;
            }
            switch (c.operation()) {
                case "LaunchAgent" -> {
                    if (agentSeen) {
                        continue;
                    }
                    agentSeen = true;
                }
                case "popFromRunQueue" -> {
                    if (!c.poppedItem()) {
                        continue;
                    }
                }
                case "updateLaunchAgent" -> {
                    String agent = c.variable("agentId");
                    String status = c.variable("agentStatus");
                    if (status.equals(lastStatus.put(agent, status))) {
                        continue;
                    }
                }
                default -> {
                }
            }
            out.add(c.operation());
        }
        return out;
    }

    /** Forgets the recorded calls (not the data). */
    public void clearCalls() {
        synchronized (calls) {
            calls.clear();
        }
    }

    /**
     * Waits until a call matching {@code predicate} has been received, and returns the first such call.
     *
     * @throws AssertionError naming the calls received when none matched within {@code timeout}
     */
    public RecordedCall awaitCall(Predicate<RecordedCall> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (calls) {
            while (true) {
                for (RecordedCall c : calls) {
                    if (predicate.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching call within " + timeout + "; received: " + calls);
                }
                try {
                    calls.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for a call", e);
                }
            }
        }
    }

    /** Waits for the first call of {@code operation}. */
    public RecordedCall awaitOperation(String operation, Duration timeout) {
        return awaitCall(c -> c.operation().equals(operation), timeout);
    }

    private void record(RecordedCall.Kind kind, String operation, JsonNode variables, String body, boolean auth,
                        int status, String fault, String response) {
        synchronized (calls) {
            calls.add(new RecordedCall(calls.size() + 1, Instant.now(), kind, operation, variables, body, auth, status,
                    fault, response));
            calls.notifyAll();
        }
    }

    // ---------------------------------------------------------------- inspection

    /** An item by id. */
    public Optional<ItemView> item(String id) {
        return model.item(id);
    }

    /** Every item of every queue, in push order. */
    public List<ItemView> items() {
        return model.items();
    }

    /** Every registered launch agent, in registration order. */
    public List<AgentView> agents() {
        return model.agents();
    }

    /** A queue of {@code entity}/{@value #PROJECT}. */
    public Optional<QueueView> queue(String entity, String name) {
        return model.queue(entity, PROJECT, name);
    }

    /** A run. */
    public Optional<RunView> run(String entity, String project, String runId) {
        return model.run(entity, project, runId);
    }

    // ---------------------------------------------------------------- HTTP

    private void graphql(HttpExchange ex) throws IOException {
        try {
            serveGraphql(ex);
        } catch (RuntimeException e) {
            send(ex, 500, "text/plain", "fake W&B server error: " + e);
        } finally {
            ex.close();
        }
    }

    private void serveGraphql(HttpExchange ex) throws IOException {
        {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String authHeader = ex.getRequestHeaders().getFirst("Authorization");
            boolean auth = authHeader != null;
            if (!"POST".equals(ex.getRequestMethod())) {
                record(RecordedCall.Kind.GRAPHQL, "", WandbModel.NODES.objectNode(), body, auth, 405, "", "");
                send(ex, 405, "text/plain", "POST a GraphQL request");
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                request = null;
            }
            if (request == null || !request.isObject() || !request.path("query").isTextual()) {
                record(RecordedCall.Kind.GRAPHQL, "", WandbModel.NODES.objectNode(), body, auth, 400, "", "");
                send(ex, 400, "application/json", error("request body must be a JSON object with a query"));
                return;
            }
            Matcher m = OPERATION.matcher(request.get("query").asText());
            String op = m.find() ? m.group(1) : request.path("operationName").asText("");
            JsonNode vars = request.path("variables");
            ObjectNode variables = vars.isObject() ? (ObjectNode) vars : WandbModel.NODES.objectNode();

            Optional<Fault> fault = takeFault(op);
            if (fault.isPresent()) {
                Fault f = fault.get();
                int status = f.kind() == Fault.Kind.STATUS ? f.status() : 200;
                record(RecordedCall.Kind.GRAPHQL, op, variables, body, auth, status, f.describe(), f.message());
                switch (f.kind()) {
                    case STATUS -> send(ex, f.status(), f.message().startsWith("{") ? "application/json" : "text/plain",
                            f.message());
                    case MALFORMED_JSON -> send(ex, 200, "text/html", f.message());
                    case GRAPHQL_ERROR -> send(ex, 200, "application/json", error(f.message()));
                    default -> throw new IllegalStateException();
                }
                return;
            }
            WandbModel.User user = WandbModel.User.ANONYMOUS;
            if (auth) {
                Optional<WandbModel.User> known = user(authHeader);
                if (known.isEmpty()) {
                    record(RecordedCall.Kind.GRAPHQL, op, variables, body, true, 401, "", error("invalid API key"));
                    send(ex, 401, "application/json", error("invalid API key"));
                    return;
                }
                user = known.get();
            } else if (!op.equals("Viewer")) {
                record(RecordedCall.Kind.GRAPHQL, op, variables, body, false, 401, "",
                        error("authentication required"));
                send(ex, 401, "application/json", error("authentication required"));
                return;
            }
            String response;
            try {
                ObjectNode out = WandbModel.NODES.objectNode();
                out.set("data", model.execute(op, variables, user));
                response = out.toString();
            } catch (GraphqlError e) {
                response = error(e.getMessage());
            }
            record(RecordedCall.Kind.GRAPHQL, op, variables, body, auth, 200, "", response);
            send(ex, 200, "application/json", response);
        }
    }

    private Optional<WandbModel.User> user(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !decoded.substring(0, colon).equals("api")) {
            return Optional.empty();
        }
        return model.user(decoded.substring(colon + 1));
    }

    private void download(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean auth = ex.getRequestHeaders().containsKey("Authorization");
            Optional<Fault> fault = takeFault("download");
            if (fault.isPresent()) {
                Fault f = fault.get();
                record(RecordedCall.Kind.DOWNLOAD, path, WandbModel.NODES.objectNode(), "", auth,
                        f.kind() == Fault.Kind.STATUS ? f.status() : 200, f.describe(), "");
                send(ex, f.kind() == Fault.Kind.STATUS ? f.status() : 200, "text/plain", f.message());
                return;
            }
            if (!signer.valid(path, ex.getRequestURI().getRawQuery())) {
                record(RecordedCall.Kind.DOWNLOAD, path, WandbModel.NODES.objectNode(), "", auth, 403, "", "");
                send(ex, 403, "application/xml", "<Error><Code>AccessDenied</Code><Message>Request has expired or the "
                        + "signature does not match</Message></Error>");
                return;
            }
            Optional<byte[]> bytes = model.storageObject(path);
            record(RecordedCall.Kind.DOWNLOAD, path, WandbModel.NODES.objectNode(), "", auth,
                    bytes.isPresent() ? 200 : 404, "", "");
            if (bytes.isEmpty()) {
                send(ex, 404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>");
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, bytes.get().length == 0 ? -1 : bytes.get().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes.get());
            }
        }
    }

    private static String error(String message) {
        ObjectNode out = WandbModel.NODES.objectNode();
        ObjectNode e = out.putArray("errors").addObject();
        e.put("message", message);
        out.putNull("data");
        return out.toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops both listeners. */
    @Override
    public void close() {
        api.stop(0);
        storage.stop(0);
        executor.shutdownNow();
    }

    private static final class FaultRule {
        final String operation;
        final Fault fault;
        int remaining;

        FaultRule(String operation, Fault fault, int remaining) {
            this.operation = operation;
            this.fault = fault;
            this.remaining = remaining;
        }

        boolean matches(String op) {
            return operation.equals("*") || operation.equals(op);
        }
    }
}
