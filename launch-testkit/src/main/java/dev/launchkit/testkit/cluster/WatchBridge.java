package dev.launchkit.testkit.cluster;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.Okio;
import okio.Source;
import okio.Timeout;

/**
 * Serves a {@code watch=true} request of the official client in-process: the response is the chunked stream of watch
 * events a real API server sends, one JSON document per line, fed by the store's own changes ({@link WatchHub}).
 * Production code needs no change; the request never reaches the mock server's WebSocket watch path.
 *
 * <p>It keeps the set of open client streams, so the cluster can count them and end them (dropped watches), asks
 * {@link FaultPlan} whether a watch should fail before it opens, and ends a stream after its {@code timeoutSeconds}
 * as an API server does.
 */
final class WatchBridge implements Interceptor {
    private static final MediaType JSON = MediaType.get("application/json");
    /** The end of a stream, compared by identity. */
    private static final String END = new String("end");

    /** The cluster side of a watch. */
    interface Backend {
        /** Counts the request and checks it as the API server would; an error response refuses it. */
        Response admit(Request request);

        /** Opens a watch; false when {@code resourceVersion} is older than the watch history. */
        boolean open(String path, String name, String resourceVersion, WatchHub.Subscriber subscriber);

        void close(WatchHub.Subscriber subscriber);
    }

    private final Backend backend;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong openedTotal = new AtomicLong();
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-watch-timeouts");
        t.setDaemon(true);
        return t;
    });
    private volatile FaultPlan faults = FaultPlan.NONE;

    WatchBridge(Backend backend) {
        this.backend = backend;
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

    /**
     * Ends every open client stream the way an API server does on a timeout or restart: a clean end of body.
     * {@code beforeEach} runs before each stream ends, so a reader that sees the end also sees its effect.
     */
    void endAll(Runnable beforeEach) {
        for (Stream s : open) {
            s.end(beforeEach);
        }
    }

    /** Ends every stream and stops the timeout timer. */
    void close() {
        endAll(() -> { });
        timeouts.shutdownNow();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request req = chain.request();
        if (!"true".equals(req.url().queryParameter("watch"))) {
            return chain.proceed(req);
        }
        Response refused = backend.admit(req);
        if (refused != null) {
            return refused;
        }
        String resourceVersion = req.url().queryParameter("resourceVersion");
        FaultPlan.Failure failure = faults.failWatch(resourceVersion);
        if (failure != null) {
            return failed(req, failure);
        }
        String query = req.url().encodedQuery();
        String path = req.url().encodedPath() + (query == null ? "" : "?" + query);
        boolean counted = req.header(SimulatedCluster.SIMULATOR_HEADER) == null;
        Stream stream = new Stream(counted, chain.readTimeoutMillis());
        if (!backend.open(path, name(req.url().queryParameter("fieldSelector")), resourceVersion, stream)) {
            return failed(req, new FaultPlan.Failure(410, "Gone", FaultPlan.status(410, "Expired",
                    "too old resource version: " + resourceVersion), Map.of(), true));
        }
        if (counted) {
            openedTotal.incrementAndGet();
            open.add(stream);
        }
        String timeout = req.url().queryParameter("timeoutSeconds");
        if (timeout != null && timeout.matches("[0-9]{1,9}") && Long.parseLong(timeout) > 0) {
            try {
                stream.timer = timeouts.schedule(() -> stream.end(() -> { }), Long.parseLong(timeout),
                        TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                stream.end(() -> { });
                throw new IOException("the simulated cluster is closed", e);
            }
        }
        return new Response.Builder().request(req).protocol(Protocol.HTTP_1_1).code(200).message("OK")
                .body(ResponseBody.create(Okio.buffer(stream.source()), JSON, -1L)).build();
    }

    /** The object name a {@code metadata.name=<name>} field selector asks for, or null. */
    private static String name(String fieldSelector) {
        if (fieldSelector == null) {
            return null;
        }
        for (String term : fieldSelector.split(",")) {
            if (term.startsWith("metadata.name=")) {
                return term.substring("metadata.name=".length());
            }
        }
        return null;
    }

    /** A watch that fails: an HTTP error status, or (410) a 200 stream holding one ERROR event. */
    private static Response failed(Request req, FaultPlan.Failure failure) {
        Response.Builder response = new Response.Builder().request(req).protocol(Protocol.HTTP_1_1);
        if (failure.inStream()) {
            Buffer body = new Buffer().writeUtf8(WatchHub.line("ERROR", failure.body()) + "\n");
            return response.code(200).message("OK").body(ResponseBody.create(body, JSON, body.size())).build();
        }
        Buffer body = new Buffer().writeUtf8(failure.body());
        failure.headers().forEach(response::header);
        return response.code(failure.code()).message(failure.reason())
                .body(ResponseBody.create(body, JSON, body.size())).build();
    }

    /**
     * One client stream: the hub adds lines without waiting, the reader takes them; {@link #end} runs its effect
     * exactly once, however the stream ends (dropped, timed out, closed by the reader, cluster closed).
     */
    private final class Stream implements WatchHub.Subscriber {
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final boolean counted;
        private final long readTimeoutMillis;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile ScheduledFuture<?> timer;

        /** {@code readTimeoutMillis}: the client's read timeout (0 for none), which a quiet stream runs into. */
        Stream(boolean counted, long readTimeoutMillis) {
            this.counted = counted;
            this.readTimeoutMillis = readTimeoutMillis;
        }

        @Override
        public void accept(String line) {
            lines.add(line);
        }

        void end(Runnable before) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            before.run();
            backend.close(this);
            if (counted) {
                open.remove(this);
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            lines.add(END);
        }

        Source source() {
            return new Source() {
                private final Buffer pending = new Buffer();
                private boolean done;

                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                    if (pending.size() == 0) {
                        if (done) {
                            return -1;
                        }
                        String next;
                        try {
                            next = readTimeoutMillis > 0 ? lines.poll(readTimeoutMillis, TimeUnit.MILLISECONDS)
                                    : lines.take();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("watch read interrupted");
                        }
                        if (next == null) {
                            // As over a socket: nothing arrived within the client's read timeout.
                            end(() -> { });
                            throw new SocketTimeoutException("timeout");
                        }
                        // Hand over whatever is already queued too, so a burst of events is one read.
                        while (next != null && next != END) {
                            pending.writeUtf8(next).writeByte('\n');
                            next = pending.size() < 65536 ? lines.poll() : null;
                        }
                        if (next == END) {
                            done = true;
                        }
                        if (pending.size() == 0) {
                            return -1;
                        }
                    }
                    return pending.read(sink, Math.min(byteCount, pending.size()));
                }

                @Override
                public Timeout timeout() {
                    return Timeout.NONE;
                }

                @Override
                public void close() {
                    end(() -> { });
                }
            };
        }
    }
}
