package dev.launchkit.examples.cli;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.agent.LaunchAgent;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.examples.ops.AgentMetrics;
import dev.launchkit.examples.ops.OpsServer;
import dev.launchkit.k8s.rbac.Permission;
import dev.launchkit.k8s.rbac.RbacRequirements;
import dev.launchkit.k8s.rbac.RbacSelfCheck;
import io.kubernetes.client.openapi.ApiException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent run}: the agent, with the flags of {@code wandb launch-agent}.
 *
 * <p>Before the first poll it runs the RBAC self-check ({@link RbacSelfCheck}): one SelfSubjectAccessReview per
 * permission the kubernetes runner (and a Kaniko builder) needs in each namespace runs may go to. A missing rule is
 * printed by name (log and stderr). With {@code --rbac-check fail} (the default) the agent then exits with code
 * {@value #EXIT_RBAC}; {@code warn} only reports and starts; {@code off} skips the check. The environment variable
 * {@value #RBAC_CHECK_ENV} sets the default, so the Helm chart can choose without changing the command. When the
 * review itself cannot be made (API server unreachable, reviews refused), the agent warns and starts: the check must
 * never be the reason a working agent does not run.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the agent. Reads ~/.config/wandb/launch-config.yaml unless --config is given.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped", "1:runtime failure", "2:configuration refused",
                "3:RBAC self-check found missing permissions (--rbac-check fail)"})
final class RunCommand implements Callable<Integer> {
    /** Exit code when the RBAC self-check fails. */
    static final int EXIT_RBAC = 3;
    /** Env var giving {@code --rbac-check}'s default. */
    static final String RBAC_CHECK_ENV = "LAUNCHKIT_RBAC_CHECK";
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    /** What a failed RBAC self-check does. */
    enum RbacMode { FAIL, WARN, OFF }

    private final Map<String, String> processEnv;

    RunCommand() {
        this(System.getenv());
    }

    /** With another environment than the process's (embedding, tests). */
    RunCommand(Map<String, String> env) {
        this.processEnv = Map.copyOf(env);
    }

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
    @Option(names = {"-l", "--log-file"}, paramLabel = "PATH|-",
            description = "Also append the agent's log to this file (- for standard output, where it goes anyway).")
    String logFile;
    @Option(names = {"-u", "--url"}, hidden = true, description = "Not supported (as in wandb launch-agent).")
    String url;
    @Option(names = "--kubeconfig", description = "Kubeconfig file (default: in-cluster, then ~/.kube/config).")
    Path kubeconfig;
    @Option(names = "--context", description = "Kubeconfig context to use.")
    String kubeContext;
    @Option(names = "--ops-port", defaultValue = "9464",
            description = "Port of /metrics, /healthz and /readyz; -1 to turn them off (default ${DEFAULT-VALUE}).")
    int opsPort;
    @Option(names = "--rbac-check", defaultValue = "${env:" + RBAC_CHECK_ENV + ":-fail}",
            description = "Startup RBAC self-check: fail (exit " + EXIT_RBAC + " when a rule is missing), warn, or off "
                    + "(default ${DEFAULT-VALUE}; env " + RBAC_CHECK_ENV + ").")
    RbacMode rbacCheck;

    @Override
    public Integer call() throws Exception {
        if (url != null) {
            System.err.println("launch-agent: --url is not supported in this version; set WANDB_BASE_URL (Helm: "
                    + "baseUrl) or queue_backend.base_url in launch-config.yaml");
            return 2;
        }
        LogFile file;
        try {
            file = LogFile.attach(logFile == null ? "-" : logFile);
        } catch (ConfigException e) {
            System.err.println("launch-agent: " + e.getMessage());
            return 2;
        }
        try (file) {
            return runAgent();
        }
    }

    private int runAgent() throws Exception {
        Map<String, String> env = new HashMap<>(processEnv);
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
        if (rbacCheck != RbacMode.OFF) {
            int code = checkRbac(cfg, ctx);
            if (code != 0) {
                scheduler.shutdownNow();
                return code;
            }
        }
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
        Thread hook = new Thread(agent::close, "launch-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            agent.start();
            agent.awaitStopped();
        } finally {
            // Reached on a normal stop and when the thread running the command is interrupted (embedding, tests).
            agent.close();
            if (ops != null) {
                ops.close();
            }
            scheduler.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down and runs the hook
            }
        }
        return 0;
    }

    /**
     * The RBAC self-check; 0 to go on, else the exit code.
     */
    private int checkRbac(LaunchConfig cfg, LaunchContext ctx) {
        Optional<RbacRequirements> requirements;
        try {
            requirements = RbacRequirements.of(cfg, ctx);
        } catch (ConfigException e) {
            String message = ctx.masker().mask(e.getMessage());
            if (rbacCheck == RbacMode.WARN) {
                LOG.warn("RBAC self-check skipped: {}", message);
                return 0;
            }
            System.err.println("launch-agent: " + message + " (or start with --rbac-check off to skip the RBAC "
                    + "self-check)");
            return 2;
        }
        if (requirements.isEmpty()) {
            LOG.info("RBAC self-check: no kubernetes runner configured, nothing to check");
            return 0;
        }
        RbacRequirements req = requirements.get();
        List<Permission> missing;
        try {
            missing = new RbacSelfCheck(req.client()).missing(req.needs());
        } catch (ApiException e) {
            String why = "HTTP " + e.getCode() + (e.getCode() == 0 ? " (" + e.getMessage() + ")" : "");
            LOG.warn("RBAC self-check could not be made ({}); starting anyway, a missing permission will show as a "
                    + "403 on the first job", ctx.masker().mask(why));
            System.err.println("launch-agent: warning: RBAC self-check could not be made: " + ctx.masker().mask(why));
            return 0;
        }
        if (missing.isEmpty()) {
            LOG.info("RBAC self-check: all {} permissions granted in namespaces {}", req.needs().size(),
                    String.join(", ", req.namespaces()));
            return 0;
        }
        String report = RbacSelfCheck.describe(missing);
        String hint = "Grant them to the agent's service account (Helm chart: additionalTargetNamespaces, "
                + "rbac.customResources, rbac.kaniko)" + (rbacCheck == RbacMode.FAIL
                ? ", or start with --rbac-check warn to run anyway." : ".");
        if (rbacCheck == RbacMode.WARN) {
            LOG.warn("RBAC self-check: {} of {} permissions missing; jobs needing them will fail with 403:\n{}",
                    missing.size(), req.needs().size(), report);
            System.err.println("launch-agent: warning: " + missing.size() + " RBAC permissions missing:\n" + report
                    + "\n" + hint);
            return 0;
        }
        LOG.error("RBAC self-check: {} of {} permissions missing:\n{}", missing.size(), req.needs().size(), report);
        System.err.println("launch-agent: " + missing.size() + " RBAC permissions missing, not starting:\n" + report
                + "\n" + hint);
        return EXIT_RBAC;
    }
}
