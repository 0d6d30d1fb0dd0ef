package dev.launchkit.k8s.monitor.interim;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.Buffer;
import okio.BufferedSink;
import okio.ForwardingSource;
import okio.Okio;
import okio.Pipe;

/** Interim: fabric8 mock API server + official client with a watch-over-WebSocket bridge, until the testkit lands. */
public final class MockApi implements AutoCloseable {
    public final KubernetesMockServer server;
    public final ApiClient client;
    public final AtomicInteger openWatches = new AtomicInteger();

    public MockApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        server.init();
        OkHttpClient ws = new OkHttpClient();
        client = new ApiClient().setBasePath("http://127.0.0.1:" + server.getPort());
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(10))
                .addInterceptor(new Bridge(ws)).build());
    }

    @Override
    public void close() {
        server.destroy();
    }

    private final class Bridge implements Interceptor {
        private final OkHttpClient ws;

        Bridge(OkHttpClient ws) {
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
            openWatches.incrementAndGet();
            AtomicInteger closedOnce = new AtomicInteger();
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
                    if (closedOnce.getAndIncrement() == 0) {
                        openWatches.decrementAndGet();
                    }
                    socket.cancel();
                    super.close();
                }
            };
            return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                    .body(ResponseBody.create(Okio.buffer(source), MediaType.get("application/json"), -1L)).build();
        }
    }

    static Buffer unused() {
        return new Buffer();
    }
}
