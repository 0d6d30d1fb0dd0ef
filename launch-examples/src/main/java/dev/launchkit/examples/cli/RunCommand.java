package dev.launchkit.examples.cli;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.examples.ops.AgentMetrics;
import dev.launchkit.examples.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code launch-agent run}: the agent, with the flags of {@code wandb launch-agent}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the agent. Reads ~/.config/wandb/launch-config.yaml unless --config is given.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-q", "--queue"}, description = "Queue to poll (repeatable; replaces queues: of the config).")
    List<String> queues = new ArrayList<>();
    @Option(names = {"-e", "--entity"}, description = "Entity that owns the queues.")
    String entity;
    @Option(names = {"-j", "--max-jobs"}, description = "Concurrent jobs; -1 for unlimited.")
    Integer maxJobs;
    @Option(names = {"-c", "--config"}, description = "Path to launch-config.yaml.")
    Path config;
    @Option(names = {"-v", "--verbose"}, description = "More output (repeatable).")
    boolean[] verbose = new boolean[0];
    @Option(names = "--kubeconfig", description = "Kubeconfig file (default: in-cluster, then ~/.kube/config).")
    Path kubeconfig;
    @Option(names = "--context", description = "Kubeconfig context to use.")
    String kubeContext;
    @Option(names = "--ops-port", defaultValue = "9464",
            description = "Port of /metrics, /healthz and /readyz; -1 to turn them off (default ${DEFAULT-VALUE}).")
    int opsPort;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (kubeconfig != null) {
            env.put("KUBECONFIG", kubeconfig.toString());
        }
        if (kubeContext != null) {
            env.put("LAUNCHKIT_KUBE_CONTEXT", kubeContext);
        }
        LaunchConfig cfg;
        try {
            cfg = (config != null ? LaunchConfig.load(config, env) : LaunchConfig.loadDefault(env))
                    .withOverrides(Optional.ofNullable(entity), queues, Optional.ofNullable(maxJobs), verbose.length);
        } catch (ConfigException e) {
            System.err.println("launch-agent: " + e.getMessage());
            return 2;
        }
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "launch-agent-scheduler");
            t.setDaemon(true);
            return t;
        });
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LaunchContext ctx = new LaunchContext(Clock.systemUTC(), scheduler, env, new SecretMasker(),
                new ConsoleListener(System.out, cfg.verbosity() > 1), Optional.empty(), Optional.empty());
        LaunchAgent agent;
        try {
            agent = LaunchAgent.fromConfig(cfg, ctx, List.of(new AgentMetrics(metrics)));
        } catch (ConfigException e) {
            System.err.println("launch-agent: " + ctx.masker().mask(e.getMessage()));
            scheduler.shutdownNow();
            return 2;
        }
        OpsServer ops = opsPort < 0 ? null
                : new OpsServer(new InetSocketAddress(opsPort), metrics, () -> !agent.isStopping());
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "launch-agent-shutdown"));
        agent.start();
        agent.awaitStopped();
        if (ops != null) {
            ops.close();
        }
        scheduler.shutdownNow();
        return 0;
    }
}
