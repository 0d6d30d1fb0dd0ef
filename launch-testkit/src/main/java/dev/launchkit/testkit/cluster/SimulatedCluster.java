package dev.launchkit.testkit.cluster;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process Kubernetes cluster for tests: fabric8's mock API server (CRUD mode, mixed dispatcher) on 127.0.0.1,
 * spoken to over HTTP by the official client, plus what a real cluster adds on top of storage:
 * <ul>
 *   <li>watches served in-process from the store's changes, as an API server serves them from its watch cache, so
 *       {@code Watch} and informers of the official client receive pushes: ADDED for what exists when no
 *       {@code resourceVersion} is given, otherwise the changes after it (410 Expired once it is older than the
 *       last 10,000 changes), label and {@code metadata.name} selectors, deletions sent with a new resourceVersion,
 *       the stream ended after {@code timeoutSeconds}; {@link #openWatchCount()} tells how many are open;</li>
 *   <li>a Job controller and kubelet simulator ({@code JobSimulator}): each {@code batch/v1} Job gets its pods
 *       (owner reference, {@code job-name}/{@code controller-uid} labels), which run and end as the pod template's
 *       {@value #SCENARIO_ANNOTATION} annotation says ({@link Scenario}); the Job gets the status counts and
 *       conditions a real controller sets. Honoured: {@code backoffLimit} (default 6; one new pod per attempt),
 *       {@code completions}, {@code parallelism}, {@code suspend} (condition Suspended; unsuspend to run, as Kueue
 *       admits), {@code activeDeadlineSeconds} (DeadlineExceeded), {@code ttlSecondsAfterFinished} (the finished
 *       Job is deleted) and {@code podFailurePolicy} (FailJob, Ignore,
 *       Count on exit codes and pod conditions such as DisruptionTarget); warnings (FailedScheduling, image pull
 *       Failed/BackOff, crash-loop BackOff, Evicted, Preempted, the Job's failure reason) are recorded as Events;</li>
 *   <li>a garbage collector: deleting a Job (any propagation but {@code Orphan}) deletes the pods, Secrets,
 *       ConfigMaps, Services and PVCs of its namespace whose ownerReferences name its uid;</li>
 *   <li>pod logs ({@code GET .../pods/<pod>/log}) from {@link #setLog}, the {@value #LOG_ANNOTATION}
 *       annotation, or a default line;</li>
 *   <li>API discovery for custom resources registered with {@link #registerCustomResource}, in a form the official
 *       client's {@code CustomObjectsApi.getAPIResources} accepts;</li>
 *   <li>{@link #requestCount()}: how many API requests clients made (the simulator writes straight into the store,
 *       so nothing of it is counted);</li>
 *   <li>fault injection for clients: {@link #injectFaults(Faults)} (error statuses, dropped watches, 410 Expired).</li>
 * </ul>
 * Each simulation step (50 ms by default) moves every Job one phase; 1,000 Jobs finish in seconds. The store is
 * fabric8's, with an index by namespace/name ({@code IndexedStore}) so the simulator's writes do not scan it.
 *
 * <p>Not simulated: strategic merge patch, server-side apply, validation, admission, pagination, field selectors
 * other than {@code metadata.name}, namespace existence, RBAC, the retry back-off delay between pod attempts,
 * indexed Jobs, finalizer-based foreground deletion, Normal Events, {@code follow} logs, watch bookmarks. Watches
 * are served only to clients built on {@link #apiClient()} (its interceptor); a plain HTTP client gets the mock's
 * WebSocket watch.
 */
public final class SimulatedCluster implements AutoCloseable {
    /** Pod-template (or Job) annotation choosing what the simulated pods do; values in {@link Scenario}. */
    public static final String SCENARIO_ANNOTATION = "sim.launchkit.dev/scenario";
    /** Pod-template (or Job) annotation with the text the Job's pod logs return. */
    public static final String LOG_ANNOTATION = JobSimulator.LOG_ANNOTATION;
    /** Pod-template (or Job) annotation: steps a {@code slow-start} pod stays ContainerCreating (default 3). */
    public static final String START_STEPS_ANNOTATION = JobSimulator.START_STEPS_ANNOTATION;
    /** Header marking the simulator's own requests, which {@link #requestCount()} ignores. */
    static final String SIMULATOR_HEADER = "X-LaunchKit-Simulator";
    /** Changes a watch can resume across (an API server's watch cache); older resourceVersions get 410 Expired. */
    private static final int WATCH_HISTORY = 10_000;
    private static final Pattern LOG_PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");

    /** What the pods of a simulated Job do (the annotation value is the lower-case, dashed name). */
    public enum Scenario {
        /** Runs, exits 0; Job gets SuccessCriteriaMet + Complete. */
        SUCCEED,
        /** Runs, exits 1; retried up to backoffLimit, then Job Failed with BackoffLimitExceeded. */
        FAIL,
        /** Runs, killed with OOMKilled / 137; retried like {@link #FAIL}. */
        OOM,
        /** Stays Pending with the container waiting in ImagePullBackOff. */
        IMAGE_PULL_BACKOFF,
        /** Stays Pending with PodScheduled=False / Unschedulable. */
        UNSCHEDULABLE,
        /** Runs and never ends. */
        RUN_FOREVER,
        /**
         * Phase Running, container waiting in CrashLoopBackOff, restartCount growing each step, lastState terminated
         * with exit 1; never ends on its own.
         */
        CRASH_LOOP_BACKOFF,
        /** Stays Pending, container waiting in CreateContainerConfigError ({@code secret "x" not found}). */
        CREATE_CONTAINER_CONFIG_ERROR,
        /**
         * Runs, then the kubelet evicts it: pod Failed, reason Evicted (node memory pressure), condition
         * DisruptionTarget/TerminationByKubelet; counts against backoffLimit; a replacement pod succeeds.
         */
        EVICTED,
        /**
         * Runs, then is preempted: pod Failed with condition DisruptionTarget/PreemptionByScheduler, exit 143; counts
         * against backoffLimit unless a podFailurePolicy rule says otherwise; a replacement pod succeeds.
         */
        PREEMPTED,
        /** Runs, then the Job fails with DeadlineExceeded and its pods are deleted. */
        DEADLINE_EXCEEDED,
        /** Stays Pending/ContainerCreating for {@value #START_STEPS_ANNOTATION} steps (default 3), then succeeds. */
        SLOW_START,
        /** The simulator leaves the Job alone (no pods, no status, no garbage collection): the test plays the controller. */
        MANUAL;

        /** Parses an annotation value such as {@code succeed} or {@code crash-loop-backoff}. */
        public static Scenario parse(String value) {
            for (Scenario s : values()) {
                if (s.annotationValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
            StringBuilder known = new StringBuilder();
            for (Scenario s : values()) {
                known.append(known.length() == 0 ? "" : ", ").append(s.annotationValue());
            }
            throw new IllegalArgumentException("unknown " + SCENARIO_ANNOTATION + " '" + value + "'; use one of "
                    + known);
        }

        /** The annotation value. */
        public String annotationValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, List<String[]>> resources = new ConcurrentHashMap<>();
    private final Map<String, String> discovery = new ConcurrentHashMap<>();
    private final WatchHub hub;
    private WatchBridge watches;
    private final Duration step;
    private volatile FaultPlan faults = FaultPlan.NONE;
    private final RbacAuthorizer rbac = new RbacAuthorizer();
    private Dispatcher dispatcher;
    private JobSimulator jobs;
    private KubernetesMockServer server;
    private ApiClient client;
    private ScheduledExecutorService kubelet;
    private ScheduledFuture<?> dropper;

    private SimulatedCluster(Duration step, int watchHistory) {
        this.step = step;
        this.hub = new WatchHub(watchHistory);
    }

    /** Starts a cluster whose simulated pods move one phase every 50 ms. */
    public static SimulatedCluster start() {
        return start(Duration.ofMillis(50));
    }

    /** Starts a cluster whose simulated pods move one phase every {@code step}. */
    public static SimulatedCluster start(Duration step) {
        return start(step, WATCH_HISTORY);
    }

    /** A cluster whose watches can resume across only {@code watchHistory} changes (tests of the 410 path). */
    static SimulatedCluster start(Duration step, int watchHistory) {
        SimulatedCluster cluster = new SimulatedCluster(step, watchHistory);
        cluster.boot();
        return cluster;
    }

    private void boot() {
        // The server records expectations into this map and the dispatcher answers from it: it must be the same map.
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        dispatcher = new Dispatcher(expectations);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        jobs = new JobSimulator(dispatcher::direct, logs);
        watches = new WatchBridge(new WatchBackend());
        client = new ApiClient().setBasePath(url());
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(30))
                .addInterceptor(watches).build());
        kubelet = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulated-kubelet");
            t.setDaemon(true);
            return t;
        });
        kubelet.scheduleWithFixedDelay(this::tick, step.toMillis(), step.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            jobs.tick();
        } catch (RuntimeException e) {
            // one bad object must not stop the simulator; the next tick goes on with the rest
        }
    }

    /** The mock's dispatcher plus what a cluster does around storage; {@link #direct} is the simulator's way in. */
    private final class Dispatcher extends MixedDispatcher {
        Dispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations) {
            super(expectations, hub);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getHeader(SIMULATOR_HEADER) == null) {
                requests.incrementAndGet();
            }
            FaultPlan.Failure failure = "websocket".equalsIgnoreCase(request.getHeader("Upgrade")) ? null
                    : faults.failRequest();
            if (failure != null) {
                MockResponse response = new MockResponse().setResponseCode(failure.code()).setBody(failure.body());
                failure.headers().forEach(response::setHeader);
                return response.setHeader("Content-Type", "application/json");
            }
            Optional<MockResponse> authorized = rbac.intercept(request, super::dispatch);
            if (authorized.isPresent()) {
                return authorized.get();
            }
            Matcher m = LOG_PATH.matcher(request.getPath());
            if (m.matches() && "GET".equals(request.getMethod())) {
                String log = logs.get(m.group(1) + "/" + m.group(2));
                return log == null ? new MockResponse().setResponseCode(404).setBody(FaultPlan.status(404,
                        "NotFound", "pods \\\"" + m.group(2) + "\\\" has no log"))
                        : new MockResponse().setResponseCode(200).setBody(log);
            }
            MockResponse response = super.dispatch(request);
            jobs.observe(request.getMethod(), request.getPath(), text(request.getBody()), response.code(),
                    text(response.getBody()));
            return response;
        }

        /** An RBAC refusal of {@code request}, if the authorizer has one. */
        Optional<MockResponse> authorize(RecordedRequest request) {
            return rbac.intercept(request, super::dispatch);
        }

        JobSimulator.Reply direct(String method, String path, String contentType, String body) {
            Headers.Builder headers = Headers.builder();
            if (contentType != null) {
                headers.add("Content-Type", contentType);
            }
            MockResponse r = super.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path,
                    headers.build(), new Buffer(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8))));
            return new JobSimulator.Reply(r.code(), text(r.getBody()));
        }

        private static String text(Buffer body) {
            return body == null ? "" : new String(body.getBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Watches of the official client, served from the store's changes rather than the mock's WebSocket path. */
    private final class WatchBackend implements WatchBridge.Backend {
        @Override
        public okhttp3.Response admit(okhttp3.Request request) {
            if (request.header(SIMULATOR_HEADER) == null) {
                requests.incrementAndGet();
            }
            Headers.Builder headers = Headers.builder();
            request.headers().forEach(h -> headers.add(h.getFirst(), h.getSecond()));
            String query = request.url().encodedQuery();
            RecordedRequest recorded = new RecordedRequest("HTTP/1.1", HttpMethod.GET,
                    request.url().encodedPath() + (query == null ? "" : "?" + query), headers.build(), new Buffer());
            return dispatcher.authorize(recorded).map(r -> new okhttp3.Response.Builder().request(request)
                    .protocol(okhttp3.Protocol.HTTP_1_1).code(r.code()).message("Forbidden")
                    .body(okhttp3.ResponseBody.create(Dispatcher.text(r.getBody()),
                            okhttp3.MediaType.get("application/json"))).build()).orElse(null);
        }

        @Override
        public boolean open(String path, String name, String resourceVersion, WatchHub.Subscriber subscriber) {
            return dispatcher.watch(path, name, resourceVersion, subscriber);
        }

        @Override
        public void close(WatchHub.Subscriber subscriber) {
            hub.unsubscribe(subscriber);
        }
    }

    /** The API server's base URL, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** The official client pointed at this cluster, with watches bridged; shared, do not close its pools. */
    public ApiClient apiClient() {
        return client;
    }

    /** A kubeconfig (YAML) pointing at this cluster, for code that loads one. */
    public String kubeconfig(String contextName, String namespace) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: " + url() + "\n"
                + "users:\n- name: sim\n  user:\n    token: simulated\n"
                + "contexts:\n- name: " + contextName + "\n  context:\n    cluster: sim\n    user: sim\n"
                + "    namespace: " + namespace + "\ncurrent-context: " + contextName + "\n";
    }

    /** The RBAC authorizer: {@code rbac().authenticateAs("system:serviceaccount:wandb:agent")} makes clients that. */
    public RbacAuthorizer rbac() {
        return rbac;
    }

    /** Creates a namespace (the mock does not require it, but code that lists namespaces sees it). */
    public void createNamespace(String name) throws ApiException {
        new CoreV1Api(client).createNamespace(new V1Namespace().apiVersion("v1").kind("Namespace")
                .metadata(new V1ObjectMeta().name(name))).execute();
    }

    /** Sets the log {@code GET .../pods/<pod>/log} returns (any query). */
    public void setLog(String namespace, String pod, String text) {
        logs.put(namespace + "/" + pod, text);
    }

    /** API requests clients made so far, the simulator's excluded. */
    public long requestCount() {
        return requests.get();
    }

    /** Watch streams clients have open right now (the simulator's own are not counted). */
    public int openWatchCount() {
        return watches.openCount();
    }

    /** Watch streams clients opened since the cluster started, closed ones included. */
    public long watchOpenedTotal() {
        return watches.openedTotal();
    }

    /**
     * Makes discovery ({@code GET /apis/<group>/<version>}) list the resource, with its status subresource and the
     * verbs a CRD gets. Call again for more kinds in the same group/version.
     */
    public void registerCustomResource(String group, String version, String kind, String plural) {
        List<String[]> list = resources.computeIfAbsent(group + "/" + version, k -> new ArrayList<>());
        synchronized (list) {
            list.add(new String[] {kind, plural});
            StringBuilder json = new StringBuilder("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\","
                    + "\"groupVersion\":\"" + group + "/" + version + "\",\"resources\":[");
            String verbs = "[\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"create\",\"update\",\"watch\"]";
            for (int i = 0; i < list.size(); i++) {
                String[] r = list.get(i);
                String singular = r[0].toLowerCase(Locale.ROOT);
                json.append(i == 0 ? "" : ",")
                        .append("{\"name\":\"").append(r[1]).append("\",\"singularName\":\"").append(singular)
                        .append("\",\"namespaced\":true,\"kind\":\"").append(r[0]).append("\",\"verbs\":")
                        .append(verbs).append("},{\"name\":\"").append(r[1])
                        .append("/status\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"").append(r[0])
                        .append("\",\"verbs\":[\"get\",\"patch\",\"update\"]}");
            }
            json.append("]}");
            discovery.put(group + "/" + version, json.toString());
            // "always" expectations are matched first-come, so replace them all rather than stack a second one.
            server.clearExpectations();
            discovery.forEach((gv, body) ->
                    server.expect().get().withPath("/apis/" + gv).andReturn(200, body).always());
        }
    }

    /**
     * Injects faults into clients' requests from now on, replacing earlier ones and resetting {@link #faultCounts()}.
     * The simulator's own work is never affected.
     */
    public synchronized void injectFaults(Faults spec) {
        FaultPlan plan = new FaultPlan(spec);
        faults = plan;
        watches.faults(plan);
        if (dropper != null) {
            dropper.cancel(false);
            dropper = null;
        }
        long period = spec.dropWatchesEvery().toMillis();
        if (period > 0) {
            dropper = kubelet.scheduleAtFixedRate(() -> watches.endAll(plan::countDropped), period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Stops injecting faults; {@link #faultCounts()} keeps what was injected. */
    public synchronized void clearFaults() {
        FaultPlan ended = faults;
        injectFaults(Faults.builder().build());
        faults = ended.cleared();
        watches.faults(faults);
    }

    /** What was injected since the last {@link #injectFaults}. */
    public FaultCounts faultCounts() {
        return faults.counts();
    }

    /** Stops the simulator and the server. */
    @Override
    public void close() {
        if (watches != null) {
            watches.close();
        }
        if (kubelet != null) {
            kubelet.shutdownNow();
        }
        if (server != null) {
            try {
                server.destroy();
            } catch (IllegalStateException e) {
                // The server's own 10 s stop timeout can expire (fabric8's WebSocket watch path waits on the event
                // loop, for a client that used it); its port and threads are gone either way, and a test's result
                // must not depend on it.
                System.getLogger(SimulatedCluster.class.getName()).log(System.Logger.Level.WARNING,
                        "the mock API server did not stop cleanly: " + e);
            }
        }
    }
}
