package dev.launchkit.k8s.monitor.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One list-then-watch loop for one resource type in one namespace, label-selected, shared by every run there.
 *
 * <p>It lists, hands the full state to {@link Handler#synced}, then watches from the list's resourceVersion and
 * hands every event to {@link Handler#event}. A watch that ends (server timeout, dropped connection) is reopened
 * from the last resourceVersion seen, so nothing is missed and nothing is re-listed. {@code 410 Gone} (as an HTTP
 * status or as an {@code ERROR} event) means that version is too old: it re-lists. Other failures back off
 * exponentially (with jitter, up to {@link #MAX_BACKOFF}) rather than hammering the API server, as W&B's watch
 * did. Handlers run on the watch thread, one event at a time, and must be quick.
 */
public final class SharedWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedWatch.class);
    static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    /** Receives the state of the watched objects. */
    public interface Handler {
        /**
         * The complete set of matching objects after a (re)list. Objects not in it are gone — unless they were
         * first seen after {@code listStartedNanos} ({@link System#nanoTime()} when the list was requested).
         */
        void synced(List<JsonNode> objects, long listStartedNanos);

        /** An {@code ADDED}, {@code MODIFIED} or {@code DELETED} event. */
        void event(String type, JsonNode object);

        /** Listing or watching has failed {@code failures} times in a row with this message. */
        default void failing(int failures, String message) {
        }
    }

    private final ApiClient client;
    private final OkHttpClient http;
    private final WatchSource source;
    private final String selector;
    private final Handler handler;
    private final int timeoutSeconds;
    private final ObjectMapper json;
    private final CountDownLatch firstSync = new CountDownLatch(1);
    private final AtomicLong relists = new AtomicLong();
    private final Object lock = new Object();
    private final Thread thread;
    private volatile boolean closed;
    private Call current;

    /**
     * @param client         the client whose request builders, base path and auth are used
     * @param source         what to watch
     * @param selector       the label selector
     * @param handler        receives objects and events
     * @param timeout        server-side watch timeout; the watch is reopened after it
     * @param json           parses list bodies and watch lines
     */
    public SharedWatch(ApiClient client, WatchSource source, String selector, Handler handler, Duration timeout,
                       ObjectMapper json) {
        this.client = Objects.requireNonNull(client, "client");
        this.source = Objects.requireNonNull(source, "source");
        this.selector = Objects.requireNonNull(selector, "selector");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        this.json = Objects.requireNonNull(json, "json");
        // A watch is idle for long stretches: the read timeout must outlast the server-side timeout, or every quiet
        // minute would look like a dead connection. It stays finite so a connection that died silently is noticed.
        this.http = client.getHttpClient().newBuilder()
                .readTimeout(Duration.ofSeconds(timeoutSeconds + 30L))
                .build();
        this.thread = new Thread(this::loop, "launchkit-watch-" + source.describe());
        this.thread.setDaemon(true);
    }

    /** Starts the loop on its own thread. */
    public SharedWatch start() {
        thread.start();
        return this;
    }

    /** Waits until the first list has been handed to the handler. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return firstSync.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How often the loop listed (the first list included). */
    public long lists() {
        return relists.get();
    }

    public WatchSource source() {
        return source;
    }

    private void loop() {
        String resourceVersion = null;
        int failures = 0;
        while (!closed) {
            try {
                if (resourceVersion == null) {
                    resourceVersion = list();
                }
                long started = System.nanoTime();
                resourceVersion = watch(resourceVersion);
                failures = 0;
                // A server that ends every watch at once must not turn this loop into a busy loop.
                if (System.nanoTime() - started < MIN_BACKOFF.toNanos() && !pause(MIN_BACKOFF)) {
                    return;
                }
            } catch (Gone e) {
                LOG.info("watch of {} expired ({}); listing again", source.describe(), e.getMessage());
                resourceVersion = null;
            } catch (IOException | ApiException | RuntimeException e) {
                if (closed) {
                    return;
                }
                failures++;
                String message = describe(e);
                LOG.warn("watch of {} failed ({} in a row): {}", source.describe(), failures, message);
                try {
                    handler.failing(failures, message);
                } catch (RuntimeException handlerError) {
                    LOG.warn("watch handler for {} failed: {}", source.describe(), handlerError.toString());
                }
                if (!pause(backoff(failures))) {
                    return;
                }
            }
        }
    }

    /** Lists, hands over the state, returns the list's resourceVersion. */
    private String list() throws IOException, ApiException {
        JsonNode body;
        long started = System.nanoTime();
        try (Response response = execute(source.call(client, selector, false, null, timeoutSeconds))) {
            body = json.readTree(bodyOf(response));
        }
        relists.incrementAndGet();
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : body.path("items")) {
            items.add(typed(item));
        }
        handler.synced(items, started);
        firstSync.countDown();
        String rv = body.path("metadata").path("resourceVersion").asText("");
        // Without a list version (some fakes) the watch starts "from now"; the list above already covered the past.
        return rv.isEmpty() ? "" : rv;
    }

    /** Watches until the stream ends; returns the last resourceVersion seen. */
    private String watch(String resourceVersion) throws IOException, ApiException {
        String rv = resourceVersion;
        Call call = source.call(client, selector, true, rv.isEmpty() ? null : rv, timeoutSeconds);
        try (Response response = execute(call)) {
            if (response.code() == 410) {
                throw new Gone("HTTP 410");
            }
            ResponseBody body = response.body();
            if (body == null) {
                return rv;
            }
            BufferedSource lines = body.source();
            String line;
            while (!closed && (line = lines.readUtf8Line()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = json.readTree(line);
                String type = event.path("type").asText("");
                JsonNode object = event.path("object");
                if (type.equals("ERROR")) {
                    int code = object.path("code").asInt(0);
                    if (code == 410) {
                        throw new Gone(object.path("message").asText("resource version too old"));
                    }
                    throw new IOException("watch error " + code + ": " + object.path("message").asText(""));
                }
                String next = object.path("metadata").path("resourceVersion").asText("");
                if (!next.isEmpty()) {
                    rv = next;
                }
                if (!type.equals("BOOKMARK")) {
                    handler.event(type, typed(object));
                }
            }
        }
        return rv;
    }

    private Response execute(Call template) throws IOException, ApiException {
        Call call = http.newCall(template.request());
        synchronized (lock) {
            if (closed) {
                throw new InterruptedIOException("closed");
            }
            current = call;
        }
        Response response = call.execute();
        if (!response.isSuccessful() && response.code() != 410) {
            String text = bodyOf(response);
            response.close();
            throw new ApiException(response.code(), "HTTP " + response.code() + " from " + template.request().url().encodedPath()
                    + ": " + text);
        }
        return response;
    }

    private static String bodyOf(Response response) throws IOException {
        ResponseBody body = response.body();
        return body == null ? "" : body.string();
    }

    /** List items of built-in kinds come without apiVersion and kind; the status mappers need them. */
    private JsonNode typed(JsonNode object) {
        if (object instanceof ObjectNode o) {
            if (!o.hasNonNull("apiVersion")) {
                o.put("apiVersion", source.apiVersion());
            }
            if (!o.hasNonNull("kind")) {
                o.put("kind", source.kind());
            }
        }
        return object;
    }

    private static Duration backoff(int failures) {
        long base = MIN_BACKOFF.toMillis() << Math.min(failures - 1, 10);
        long capped = Math.min(base, MAX_BACKOFF.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof ApiException api) {
            return api.getMessage() == null ? "HTTP " + api.getCode() : api.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Stops the loop and closes the open connection. */
    @Override
    public void close() {
        Call call;
        synchronized (lock) {
            closed = true;
            call = current;
        }
        if (call != null) {
            call.cancel();
        }
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The watch's resourceVersion is no longer available: list again. */
    private static final class Gone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Gone(String message) {
            super(message, null, false, false);
        }
    }
}
