package dev.launchkit.examples.reliability;

import io.kubernetes.client.openapi.ApiClient;
import java.lang.reflect.Constructor;
import java.time.Duration;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * The official client for a {@link dev.launchkit.testkit.cluster.SimulatedCluster} running in another process (the
 * reliability suite's parent JVM). The simulated API server serves watches over WebSocket only; the testkit's
 * (package-private) watch bridge turns them into the chunked stream the client reads, as in the parent.
 */
public final class ClusterClients {
    private ClusterClients() {
    }

    /** A client for the simulated cluster at {@code url}, with watches bridged. */
    public static ApiClient connect(String url) {
        ApiClient c = new ApiClient().setBasePath(url);
        c.setHttpClient(c.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(30))
                .addInterceptor(watchBridge()).build());
        return c;
    }

    private static Interceptor watchBridge() {
        try {
            Class<?> type = Class.forName("dev.launchkit.testkit.cluster.WatchBridge");
            Constructor<?> ctor = type.getDeclaredConstructor(OkHttpClient.class);
            ctor.setAccessible(true);
            return (Interceptor) ctor.newInstance(new OkHttpClient());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("launch-testkit's WatchBridge is not usable (" + e
                    + "); the child agent needs launch-testkit on its class path", e);
        }
    }
}
