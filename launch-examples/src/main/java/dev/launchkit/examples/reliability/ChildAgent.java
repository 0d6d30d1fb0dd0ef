package dev.launchkit.examples.reliability;

import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.queue.directory.DirectoryQueues;
import dev.launchkit.k8s.KubernetesRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The agent process the kill/restart suite kills: a directory queue, the kubernetes runner against the parent's
 * simulated cluster (through its {@link ClusterGateway}), at most {@code maxJobs} runs at once. Prints {@code STARTED} once runs of a previous process were
 * adopted and polling began, then runs until it is killed.
 *
 * <p>Arguments: {@code <cluster-url> <queue-root> <queue> <namespace> <max-jobs>}.
 */
public final class ChildAgent {
    private ChildAgent() {
    }

    /** The official client for an API server at {@code url} (the parent's {@link ClusterGateway}). */
    public static io.kubernetes.client.openapi.ApiClient connect(String url) {
        io.kubernetes.client.openapi.ApiClient c = new io.kubernetes.client.openapi.ApiClient().setBasePath(url);
        c.setHttpClient(c.getHttpClient().newBuilder().readTimeout(Duration.ofSeconds(60)).build());
        return c;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path root = Path.of(args[1]);
        String queue = args[2];
        String namespace = args[3];
        int maxJobs = Integer.parseInt(args[4]);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "child-agent-scheduler");
            t.setDaemon(true);
            return t;
        });
        LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, Map.of(), new SecretMasker(),
                new dev.launchkit.core.AgentListener() { }, Optional.empty(), Optional.empty());
        KubernetesRunner runner = KubernetesRunner.builder(ctx).apiClient(connect(url))
                .agentNamespace(namespace).build();
        LaunchAgent agent = LaunchAgent.builder().name("reliability").context(ctx)
                .queue(new DirectoryQueues(root).open(queue)).runner(runner).maxJobs(maxJobs)
                .pollWait(Duration.ofMillis(50)).build();
        agent.start();
        System.out.println("STARTED");
        System.out.flush();
        agent.awaitStopped();
    }
}
