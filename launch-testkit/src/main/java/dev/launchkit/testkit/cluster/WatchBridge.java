package dev.launchkit.testkit.cluster;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import okio.Buffer;
import okio.ForwardingSource;
import okio.Okio;
import okio.Pipe;

/**
 * Turns a {@code watch=true} request into a WebSocket to the mock server and streams its messages as the chunked
 * HTTP body the official client reads. fabric8's mock serves watches only over WebSocket; each frame is exactly one
 * line of the Kubernetes watch stream, so production code needs no change.
 *
 * <p>It also keeps the set of open client streams, so the cluster can count them and end them (dropped watches), and
 * asks {@link FaultPlan} whether a watch should fail before it opens.
 */
final class WatchBridge implements Interceptor {
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient ws;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong openedTotal = new AtomicLong();
    private volatile FaultPlan faults = FaultPlan.NONE;

    WatchBridge(OkHttpClient ws) {
        this.ws = ws;
    }

    /** Client watch streams open right now. */
    int openCount() {
        return open.size();
    }

    /** Client watch streams opened since start. */
    long openedTotal() {
        return openedTotal.get();
    }

    void faults(FaultPlan plan) {
        this.faults = plan;
    }

    /** Ends every open client stream the way an API server does on a timeout or restart: a clean end of body. */
    int endAll() {
        int ended = 0;
        for (Stream s : open) {
            if (s.end()) {
                ended++;
            }
        }
        return ended;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request req = chain.request();
        if (!"true".equals(req.url().queryParameter("watch"))) {
            return chain.proceed(req);
        }
        FaultPlan plan = faults;
        FaultPlan.Failure failure = plan.failWatch(req.url().queryParameter("resourceVersion"));
        if (failure != null) {
            return failed(req, failure);
        }
        Pipe pipe = new Pipe(8L << 20);
        BufferedSink sink = Okio.buffer(pipe.sink());
        Request.Builder upgrade = new Request.Builder().url(req.url());
        String simulator = req.header(SimulatedCluster.SIMULATOR_HEADER);
        if (simulator != null) {
            upgrade.header(SimulatedCluster.SIMULATOR_HEADER, simulator);
        }
        Stream stream = new Stream(sink, simulator == null);
        if (stream.counted) {
            openedTotal.incrementAndGet();
            open.add(stream);
        }
        stream.socket = ws.newWebSocket(upgrade.build(), new WebSocketListener() {
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
                stream.end();
            }

            @Override
            public void onFailure(WebSocket w, Throwable t, Response r) {
                stream.end();
            }
        });
        ForwardingSource source = new ForwardingSource(pipe.source()) {
            @Override
            public void close() throws IOException {
                stream.end();
                super.close();
            }
        };
        return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                .body(ResponseBody.create(Okio.buffer(source), JSON, -1L)).build();
    }

    /** A watch the fault plan fails: an HTTP error status, or (410) a 200 stream holding one ERROR event. */
    private static Response failed(Request req, FaultPlan.Failure failure) {
        Response.Builder response = new Response.Builder().request(req).protocol(Protocol.HTTP_1_1);
        if (failure.inStream()) {
            Buffer body = new Buffer().writeUtf8("{\"type\":\"ERROR\",\"object\":" + failure.body() + "}\n");
            return response.code(200).message("OK").body(ResponseBody.create(body, JSON, body.size())).build();
        }
        Buffer body = new Buffer().writeUtf8(failure.body());
        failure.headers().forEach(response::header);
        return response.code(failure.code()).message(failure.reason())
                .body(ResponseBody.create(body, JSON, body.size())).build();
    }

    /** One bridged stream; {@link #end()} runs its effect exactly once, however many ways it ends. */
    private final class Stream {
        private final BufferedSink sink;
        private final boolean counted;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile WebSocket socket;

        Stream(BufferedSink sink, boolean counted) {
            this.sink = sink;
            this.counted = counted;
        }

        boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            open.remove(this);
            WebSocket s = socket;
            if (s != null) {
                s.cancel();
            }
            synchronized (sink) {
                try {
                    sink.close();
                } catch (IOException ignored) {
                    // the reader closed the pipe already
                }
            }
            return true;
        }
    }
}
