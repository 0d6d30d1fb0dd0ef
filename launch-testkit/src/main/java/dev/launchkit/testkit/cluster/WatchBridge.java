package dev.launchkit.testkit.cluster;

import java.io.IOException;
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
 * Turns a {@code watch=true} request into a WebSocket to the mock server and streams its messages as the chunked
 * HTTP body the official client reads. fabric8's mock serves watches only over WebSocket; each frame is exactly one
 * line of the Kubernetes watch stream, so production code needs no change.
 */
final class WatchBridge implements Interceptor {
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
        Request.Builder upgrade = new Request.Builder().url(req.url());
        String simulator = req.header(SimulatedCluster.SIMULATOR_HEADER);
        if (simulator != null) {
            upgrade.header(SimulatedCluster.SIMULATOR_HEADER, simulator);
        }
        WebSocket socket = ws.newWebSocket(upgrade.build(), new WebSocketListener() {
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
                        // already closed by the reader
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
