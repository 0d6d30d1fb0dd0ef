package dev.launchkit.testkit.cluster;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.util.Map;
import java.util.Queue;

/**
 * What fabric8's {@code KubernetesMixedDispatcher} does, over the {@link IndexedStore}: a recorded expectation for
 * the request's method and path answers first, the CRUD store everything else.
 */
class MixedDispatcher extends Dispatcher implements Resetable, CustomResourceAware {
    private final Map<ServerRequest, Queue<ServerResponse>> expectations;
    private final MockDispatcher recorded;
    private final IndexedStore store;

    /**
     * {@code expectations} must be the map the mock server records expectations into; the store publishes its changes
     * to {@code watches}.
     */
    MixedDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, WatchHub watches) {
        this.expectations = expectations;
        this.recorded = new MockDispatcher(expectations);
        this.store = new IndexedStore(watches);
    }

    /** See {@link IndexedStore#watch}. */
    boolean watch(String path, String name, String resourceVersion, WatchHub.Subscriber subscriber) {
        return store.watch(path, name, resourceVersion, subscriber);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Queue<ServerResponse> queue = expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()),
                request.getPath()));
        return queue != null && !queue.isEmpty() ? recorded.dispatch(request) : store.dispatch(request);
    }

    @Override
    public void reset() {
        store.reset();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
        store.expectCustomResource(context);
    }

    @Override
    public void shutdown() {
        recorded.shutdown();
        store.shutdown();
    }

    @Override
    public void releaseResources() {
        recorded.releaseResources();
        store.releaseResources();
    }
}
