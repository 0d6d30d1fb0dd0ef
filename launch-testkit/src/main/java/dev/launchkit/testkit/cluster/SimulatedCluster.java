package dev.launchkit.testkit.cluster;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.util.PatchUtils;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * An in-process Kubernetes cluster for tests: fabric8's mock API server (CRUD mode, mixed dispatcher) on 127.0.0.1,
 * spoken to over HTTP by the official client, plus what a real cluster adds on top of storage:
 * <ul>
 *   <li>watches bridged, so {@code Watch} and informers of the official client receive pushes;</li>
 *   <li>a Job controller and kubelet simulator: each {@code batch/v1} Job gets its pods (owner reference,
 *       {@code job-name} labels), which run and end as the pod template's {@value #SCENARIO_ANNOTATION} annotation
 *       says ({@link Scenario}); the Job gets the conditions a real controller sets;</li>
 *   <li>pod logs ({@code GET .../pods/<pod>/log}) from {@link #setLog} or the simulator;</li>
 *   <li>API discovery for custom resources registered with {@link #registerCustomResource}, in a form the official
 *       client's {@code CustomObjectsApi.getAPIResources} accepts;</li>
 *   <li>{@link #requestCount()}: how many API requests clients made (the simulator's own are not counted).</li>
 * </ul>
 * Not simulated (the mock lacks it): strategic merge patch, server-side apply, validation, garbage collection.
 */
public final class SimulatedCluster implements AutoCloseable {
    /** Pod-template (or Job) annotation choosing what the simulated pods do; values in {@link Scenario}. */
    public static final String SCENARIO_ANNOTATION = "sim.launchkit.dev/scenario";
    /** Header marking the simulator's own requests, which {@link #requestCount()} ignores. */
    static final String SIMULATOR_HEADER = "X-LaunchKit-Simulator";
    private static final String HANDLED_ANNOTATION = "sim.launchkit.dev/handled";
    private static final Pattern LOG_PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");

    /** What the pods of a simulated Job do. */
    public enum Scenario {
        /** Runs, exits 0; Job gets SuccessCriteriaMet + Complete. */
        SUCCEED,
        /** Runs, exits 1; Job Failed with BackoffLimitExceeded. */
        FAIL,
        /** Runs, killed with OOMKilled / 137; Job Failed with BackoffLimitExceeded. */
        OOM,
        /** Stays Pending with the container waiting in ImagePullBackOff. */
        IMAGE_PULL_BACKOFF,
        /** Stays Pending with PodScheduled=False / Unschedulable. */
        UNSCHEDULABLE,
        /** Runs and never ends. */
        RUN_FOREVER;

        /** Parses {@code succeed | fail | oom | image-pull-backoff | unschedulable | run-forever}. */
        public static Scenario parse(String value) {
            for (Scenario s : values()) {
                if (s.annotationValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown " + SCENARIO_ANNOTATION + " '" + value
                    + "'; use succeed, fail, oom, image-pull-backoff, unschedulable or run-forever");
        }

        /** The annotation value. */
        public String annotationValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final Map<String, List<String[]>> resources = new ConcurrentHashMap<>();
    private final Map<String, String> discovery = new ConcurrentHashMap<>();
    private final Duration step;
    private KubernetesMockServer server;
    private final WatchBridge watches = new WatchBridge(new OkHttpClient());
    private ApiClient client;
    private ApiClient simulatorClient;
    private ScheduledExecutorService kubelet;

    private SimulatedCluster(Duration step) {
        this.step = step;
    }

    /** Starts a cluster whose simulated pods move one phase every 50 ms. */
    public static SimulatedCluster start() {
        return start(Duration.ofMillis(50));
    }

    /** Starts a cluster whose simulated pods move one phase every {@code step}. */
    public static SimulatedCluster start(Duration step) {
        SimulatedCluster cluster = new SimulatedCluster(step);
        cluster.boot();
        return cluster;
    }

    private void boot() {
        // The server records expectations into this map and the dispatcher answers from it: it must be the same map.
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations) {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        if (request.getHeader(SIMULATOR_HEADER) == null) {
                            requests.incrementAndGet();
                        }
                        Matcher m = LOG_PATH.matcher(request.getPath());
                        if (m.matches() && "GET".equals(request.getMethod())) {
                            String log = logs.get(m.group(1) + "/" + m.group(2));
                            return log == null ? new MockResponse().setResponseCode(404).setBody(status(404,
                                    "NotFound", "pods \"" + m.group(2) + "\" has no log"))
                                    : new MockResponse().setResponseCode(200).setBody(log);
                        }
                        return super.dispatch(request);
                    }
                }, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = newApiClient(false);
        simulatorClient = newApiClient(true);
        kubelet = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulated-kubelet");
            t.setDaemon(true);
            return t;
        });
        kubelet.scheduleWithFixedDelay(this::reconcile, step.toMillis(), step.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ApiClient newApiClient(boolean simulator) {
        ApiClient c = new ApiClient().setBasePath(url());
        OkHttpClient.Builder http = c.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(30))
                .addInterceptor(simulator ? new WatchBridge(new OkHttpClient()) : watches);
        if (simulator) {
            http.addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                    .header(SIMULATOR_HEADER, "kubelet").build()));
        }
        c.setHttpClient(http.build());
        return c;
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

    // ---- Job controller + kubelet ----

    private void reconcile() {
        try {
            BatchV1Api batch = new BatchV1Api(simulatorClient);
            for (V1Job job : batch.listJobForAllNamespaces().execute().getItems()) {
                String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName() + "/"
                        + job.getMetadata().getUid();
                if (handled.add(key)) {
                    play(job);
                }
            }
        } catch (Exception e) {
            // the next tick retries; a closing server ends the loop through close()
        }
    }

    private void play(V1Job job) {
        Scenario scenario;
        try {
            scenario = scenarioOf(job);
        } catch (IllegalArgumentException e) {
            scenario = Scenario.FAIL;
        }
        Scenario s = scenario;
        int pods = job.getSpec() == null || job.getSpec().getParallelism() == null ? 1
                : Math.max(1, job.getSpec().getParallelism());
        try {
            List<V1Pod> created = new ArrayList<>();
            for (int i = 0; i < pods; i++) {
                created.add(createPod(job, i, s));
            }
            patchJob(job, "{\"status\":{\"active\":" + pods + ",\"startTime\":\"" + OffsetDateTime.now() + "\"}}");
            if (s == Scenario.IMAGE_PULL_BACKOFF || s == Scenario.UNSCHEDULABLE) {
                return;
            }
            kubelet.schedule(() -> advance(job, created, s, true), step.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ApiException e) {
            handled.remove(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName() + "/"
                    + job.getMetadata().getUid());
        }
    }

    private void advance(V1Job job, List<V1Pod> pods, Scenario s, boolean toRunning) {
        try {
            CoreV1Api core = new CoreV1Api(simulatorClient);
            for (V1Pod pod : pods) {
                V1Pod current = core.readNamespacedPod(pod.getMetadata().getName(), pod.getMetadata().getNamespace())
                        .execute();
                current.setStatus(toRunning ? running(current) : terminated(current, s));
                core.replaceNamespacedPodStatus(current.getMetadata().getName(), current.getMetadata().getNamespace(),
                        current).execute();
            }
            if (toRunning) {
                patchJob(job, "{\"status\":{\"ready\":" + pods.size() + "}}");
                if (s != Scenario.RUN_FOREVER) {
                    kubelet.schedule(() -> advance(job, pods, s, false), step.toMillis(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            String now = OffsetDateTime.now().toString();
            patchJob(job, s == Scenario.SUCCEED
                    ? "{\"status\":{\"active\":0,\"ready\":0,\"succeeded\":" + pods.size() + ",\"completionTime\":\""
                            + now + "\",\"conditions\":[" + condition("SuccessCriteriaMet", "CompletionsReached",
                            "Reached expected number of succeeded pods", now) + "," + condition("Complete",
                            "CompletionsReached", "Reached expected number of succeeded pods", now) + "]}}"
                    : "{\"status\":{\"active\":0,\"ready\":0,\"failed\":" + pods.size() + ",\"conditions\":["
                            + condition("FailureTarget", "BackoffLimitExceeded",
                            "Job has reached the specified backoff limit", now) + "," + condition("Failed",
                            "BackoffLimitExceeded", "Job has reached the specified backoff limit", now) + "]}}");
        } catch (ApiException e) {
            // the Job or pod was deleted meanwhile: nothing left to simulate
        }
    }

    private static String condition(String type, String reason, String message, String now) {
        return "{\"type\":\"" + type + "\",\"status\":\"True\",\"reason\":\"" + reason + "\",\"message\":\"" + message
                + "\",\"lastProbeTime\":\"" + now + "\",\"lastTransitionTime\":\"" + now + "\"}";
    }

    private static Scenario scenarioOf(V1Job job) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (job.getMetadata().getAnnotations() != null) {
            annotations.putAll(job.getMetadata().getAnnotations());
        }
        if (job.getSpec() != null && job.getSpec().getTemplate() != null
                && job.getSpec().getTemplate().getMetadata() != null
                && job.getSpec().getTemplate().getMetadata().getAnnotations() != null) {
            annotations.putAll(job.getSpec().getTemplate().getMetadata().getAnnotations());
        }
        String value = annotations.get(SCENARIO_ANNOTATION);
        return value == null ? Scenario.SUCCEED : Scenario.parse(value);
    }

    private V1Pod createPod(V1Job job, int index, Scenario s) throws ApiException {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        V1ObjectMeta template = job.getSpec().getTemplate().getMetadata();
        Map<String, String> labels = new HashMap<>(template == null || template.getLabels() == null ? Map.of()
                : template.getLabels());
        labels.put("job-name", name);
        labels.put("batch.kubernetes.io/job-name", name);
        labels.put("controller-uid", job.getMetadata().getUid());
        labels.put("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
        Map<String, String> annotations = template == null || template.getAnnotations() == null ? Map.of()
                : template.getAnnotations();
        String podName = name + "-" + index + "-" + Integer.toString(Math.abs(job.getMetadata().getUid().hashCode())
                % 46656, 36);
        V1Pod pod = new V1Pod().apiVersion("v1").kind("Pod")
                .metadata(new V1ObjectMeta().name(podName).namespace(ns).labels(labels).annotations(annotations)
                        .ownerReferences(List.of(new V1OwnerReference().apiVersion("batch/v1").kind("Job").name(name)
                                .uid(job.getMetadata().getUid()).controller(true).blockOwnerDeletion(true))))
                .spec(job.getSpec().getTemplate().getSpec())
                .status(pending(job, s));
        V1Pod created = new CoreV1Api(simulatorClient).createNamespacedPod(ns, pod).execute();
        logs.putIfAbsent(ns + "/" + podName, "simulated pod " + podName + " (" + s.annotationValue() + ")\n");
        return created;
    }

    private static V1PodStatus pending(V1Job job, Scenario s) {
        V1PodStatus status = new V1PodStatus().phase("Pending");
        if (s == Scenario.UNSCHEDULABLE) {
            return status.conditions(List.of(new V1PodCondition().type("PodScheduled").status("False")
                    .reason("Unschedulable").message("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                    .lastTransitionTime(OffsetDateTime.now())));
        }
        List<V1ContainerStatus> containers = new ArrayList<>();
        for (var c : job.getSpec().getTemplate().getSpec().getContainers()) {
            V1ContainerStateWaiting waiting = s == Scenario.IMAGE_PULL_BACKOFF
                    ? new V1ContainerStateWaiting().reason("ImagePullBackOff")
                            .message("Back-off pulling image \"" + c.getImage() + "\"")
                    : new V1ContainerStateWaiting().reason("ContainerCreating");
            containers.add(new V1ContainerStatus().name(c.getName()).image(String.valueOf(c.getImage())).imageID("")
                    .ready(false).restartCount(0).state(new V1ContainerState().waiting(waiting)));
        }
        return status.conditions(List.of(new V1PodCondition().type("PodScheduled").status("True")
                .lastTransitionTime(OffsetDateTime.now()))).containerStatuses(containers);
    }

    private static V1PodStatus running(V1Pod pod) {
        List<V1ContainerStatus> containers = new ArrayList<>();
        for (var c : pod.getSpec().getContainers()) {
            containers.add(new V1ContainerStatus().name(c.getName()).image(String.valueOf(c.getImage())).imageID("")
                    .ready(true).restartCount(0).started(true).state(new V1ContainerState()
                            .running(new V1ContainerStateRunning().startedAt(OffsetDateTime.now()))));
        }
        return new V1PodStatus().phase("Running").startTime(OffsetDateTime.now()).podIP("10.0.0.7")
                .conditions(List.of(new V1PodCondition().type("Ready").status("True")
                        .lastTransitionTime(OffsetDateTime.now()))).containerStatuses(containers);
    }

    private static V1PodStatus terminated(V1Pod pod, Scenario s) {
        List<V1ContainerStatus> containers = new ArrayList<>();
        for (var c : pod.getSpec().getContainers()) {
            V1ContainerStateTerminated t = switch (s) {
                case SUCCEED -> new V1ContainerStateTerminated().exitCode(0).reason("Completed");
                case OOM -> new V1ContainerStateTerminated().exitCode(137).reason("OOMKilled");
                default -> new V1ContainerStateTerminated().exitCode(1).reason("Error");
            };
            containers.add(new V1ContainerStatus().name(c.getName()).image(String.valueOf(c.getImage())).imageID("")
                    .ready(false).restartCount(0).state(new V1ContainerState()
                            .terminated(t.finishedAt(OffsetDateTime.now()))));
        }
        return new V1PodStatus().phase(s == Scenario.SUCCEED ? "Succeeded" : "Failed").containerStatuses(containers);
    }

    private void patchJob(V1Job job, String mergePatch) throws ApiException {
        BatchV1Api batch = new BatchV1Api(simulatorClient);
        PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJobStatus(job.getMetadata().getName(),
                job.getMetadata().getNamespace(), new V1Patch(mergePatch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, simulatorClient);
    }

    private static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code
                + ",\"reason\":\"" + reason + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}";
    }

    /** Stops the simulator and the server. */
    @Override
    public void close() {
        if (kubelet != null) {
            kubelet.shutdownNow();
        }
        if (server != null) {
            server.destroy();
        }
    }
}
