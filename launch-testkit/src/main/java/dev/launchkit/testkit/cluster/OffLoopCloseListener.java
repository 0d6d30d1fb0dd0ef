package dev.launchkit.testkit.cluster;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.Executor;

/**
 * Moves the end of a mock server watch off the server's event loop. fabric8's watch listener, when its socket closes
 * or fails, waits up to a minute for its sender to finish, while a send in flight waits up to 30 s for the event
 * loop to complete the write: run on the event loop, the two block each other and the whole API server freezes.
 * Handing {@code onClosing}/{@code onClosed}/{@code onFailure} to another thread leaves the event loop free to finish
 * the write, so the listener ends at once. Everything else is forwarded as it comes.
 */
final class OffLoopCloseListener extends WebSocketListener {
    private final WebSocketListener delegate;
    private final Executor closer;

    private OffLoopCloseListener(WebSocketListener delegate, Executor closer) {
        this.delegate = delegate;
        this.closer = closer;
    }

    /** The response, with its WebSocket listener (a watch) wrapped; other responses unchanged. */
    static MockResponse wrap(MockResponse response, Executor closer) {
        WebSocketListener listener = response.getWebSocketListener();
        if (listener != null && !(listener instanceof OffLoopCloseListener)) {
            response.withWebSocketUpgrade(new OffLoopCloseListener(listener, closer));
        }
        return response;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
        delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        delegate.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
        delegate.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        closer.execute(() -> delegate.onClosing(webSocket, code, reason));
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        closer.execute(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        closer.execute(() -> delegate.onFailure(webSocket, t, response));
    }
}
