package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.fail;

import dev.launchkit.k8s.Labels;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
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
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.util.PatchUtils;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.BufferedSink;
import okio.ForwardingSource;
import okio.Okio;
import okio.Pipe;

/**
 * Interim cluster for the builder's tests until launch-testkit's SimulatedCluster lands: fabric8's Kubernetes mock
 * API server in CRUD mode on 127.0.0.1, spoken to over HTTP by the official client, with
 * <ul>
 *   <li>watches bridged (the mock serves watches over WebSocket, the official client reads a chunked HTTP stream);</li>
 *   <li>pod logs served from what the test set ({@code GET .../pods/<pod>/log});</li>
 *   <li>{@link #playKanikoPod}: what the Job controller and kubelet would do for a build Job — create its pod from
 *       the template, run it, write its log, terminate it and set the Job's condition.</li>
 * </ul>
 */
public final class InterimCluster implements AutoCloseable {
    private static final Pattern LOG_PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log.*");
    private final KubernetesMockServer server;
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    public final ApiClient client;
    public final BatchV1Api batch;
    public final CoreV1Api core;

    public InterimCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()) {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        Matcher m = LOG_PATH.matcher(request.getPath());
                        if (m.matches() && "GET".equals(request.getMethod())) {
                            String log = logs.get(m.group(1) + "/" + m.group(2));
                            return log == null ? new MockResponse().setResponseCode(404)
                                    .setBody("{\"kind\":\"Status\",\"code\":404,\"message\":\"no log\"}")
                                    : new MockResponse().setResponseCode(200).setBody(log);
                        }
                        return super.dispatch(request);
                    }
                }, false);
        server.init(java.net.InetAddress.getLoopbackAddress(), 0);
        client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(30))
                .addInterceptor(new WatchBridge(new OkHttpClient())).build());
        batch = new BatchV1Api(client);
        core = new CoreV1Api(client);
    }

    /** Waits until the Job exists (the builder creates it from another thread) and returns it. */
    public V1Job awaitJob(String namespace, String name, Duration timeout) throws Exception {
        return awaitJob(namespace, name, timeout, java.util.concurrent.CompletableFuture.completedFuture(null));
    }

    /** Like {@link #awaitJob(String, String, Duration)}, failing at once with the build's error if it ended. */
    public V1Job awaitJob(String namespace, String name, Duration timeout, java.util.concurrent.Future<?> build)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (build.isDone()) {
                try {
                    build.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("the build ended before creating its Job: " + e.getCause(), e.getCause());
                }
            }
            try {
                return batch.readNamespacedJob(name, namespace).execute();
            } catch (ApiException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20); // poll interval, bounded by the deadline
        }
        return fail("build Job " + namespace + "/" + name + " was not created within " + timeout);
    }

    /**
     * Plays the build Job's pod: created from the template (labels, job-name, owner reference), running, its log
     * set, then terminated with exit code 0 or 1; the Job gets {@code Complete} or {@code Failed}.
     */
    public V1Pod playKanikoPod(V1Job job, String log, boolean succeed) throws Exception {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        Map<String, String> labels = new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("job-name", name);
        labels.put("batch.kubernetes.io/job-name", name);
        String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
        V1Pod pod = new V1Pod().apiVersion("v1").kind("Pod")
                .metadata(new V1ObjectMeta().name(name + "-x7k2p").namespace(ns).labels(labels)
                        .ownerReferences(List.of(new V1OwnerReference().apiVersion("batch/v1").kind("Job").name(name)
                                .uid(job.getMetadata().getUid()).controller(true))))
                .spec(job.getSpec().getTemplate().getSpec())
                .status(new V1PodStatus().phase("Running").containerStatuses(List.of(status(container,
                        new V1ContainerState().running(new V1ContainerStateRunning().startedAt(OffsetDateTime.now()))))));
        V1Pod created = core.createNamespacedPod(ns, pod).execute();
        logs.put(ns + "/" + created.getMetadata().getName(), log);
        patchStatus(job, "{\"status\":{\"active\":1,\"ready\":1}}");
        V1ContainerStateTerminated terminated = new V1ContainerStateTerminated().exitCode(succeed ? 0 : 1)
                .reason(succeed ? "Completed" : "Error").finishedAt(OffsetDateTime.now());
        created.setStatus(new V1PodStatus().phase(succeed ? "Succeeded" : "Failed").containerStatuses(List.of(
                status(container, new V1ContainerState().terminated(terminated)))));
        core.replaceNamespacedPodStatus(created.getMetadata().getName(), ns, created).execute();
        patchStatus(job, succeed
                ? "{\"status\":{\"active\":0,\"ready\":0,\"succeeded\":1,\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}"
                : "{\"status\":{\"active\":0,\"ready\":0,\"failed\":1,\"conditions\":[{\"type\":\"Failed\",\"status\":\"True\","
                        + "\"reason\":\"BackoffLimitExceeded\",\"message\":\"Job has reached the specified backoff limit\"}]}}");
        return created;
    }

    private static V1ContainerStatus status(String container, V1ContainerState state) {
        return new V1ContainerStatus().name(container).image("kaniko").imageID("").ready(false).restartCount(0).state(state);
    }

    private void patchStatus(V1Job job, String mergePatch) throws ApiException {
        PatchUtils.patch(V1Job.class, () -> batch.patchNamespacedJobStatus(job.getMetadata().getName(),
                job.getMetadata().getNamespace(), new V1Patch(mergePatch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
    }

    /** Labels the monitor needs on pods, for tests that build pods by hand. */
    static Map<String, String> monitorLabels(String owner) {
        return Map.of(Labels.MONITOR, "true", Labels.OWNER, owner);
    }

    @Override
    public void close() {
        server.destroy();
    }

    /** Turns a watch request into a WebSocket to the mock server and streams its messages as HTTP chunks. */
    private static final class WatchBridge implements Interceptor {
        private final OkHttpClient ws;

        WatchBridge(OkHttpClient ws) {
            this.ws = ws;
        }

        @Override
        public Response intercept(Chain chain) throws IOException {
            Request req = chain.request();
            if (!"true".equals(req.url().queryParameter("watch"))) {
                return chain.proceed(req);
            }
            Pipe pipe = new Pipe(8L << 20);
            BufferedSink sink = Okio.buffer(pipe.sink());
            WebSocket socket = ws.newWebSocket(new Request.Builder().url(req.url()).build(), new WebSocketListener() {
                @Override
                public void onMessage(WebSocket w, String text) {
                    synchronized (sink) {
                        try {
                            sink.writeUtf8(text).writeUtf8("\n").flush();
                        } catch (IOException e) {
                            w.cancel();
                        }
                    }
                }

                @Override
                public void onClosing(WebSocket w, int code, String reason) {
                    w.close(1000, null);
                    end();
                }

                @Override
                public void onFailure(WebSocket w, Throwable t, Response r) {
                    end();
                }

                private void end() {
                    synchronized (sink) {
                        try {
                            sink.close();
                        } catch (IOException ignored) {
                            // already closed
                        }
                    }
                }
            });
            ForwardingSource source = new ForwardingSource(pipe.source()) {
                @Override
                public void close() throws IOException {
                    socket.cancel();
                    super.close();
                }
            };
            return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                    .body(ResponseBody.create(Okio.buffer(source), MediaType.get("application/json"), -1L)).build();
        }
    }
}
