package dev.launchkit.core.agent;

import dev.launchkit.core.AgentListener;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Provider;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.Runner;
import dev.launchkit.core.RunnerProvider;
import dev.launchkit.core.Stage;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.config.Quoted;
import dev.launchkit.core.plugin.Plugins;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link LaunchAgent} from a {@link LaunchConfig}: environment, then registry, then builder (each sees the
 * ones before it in its {@link LaunchContext}), runners, and the queues of the configured backend.
 */
final class AgentAssembly {
    private static final Logger LOG = LoggerFactory.getLogger(AgentAssembly.class);

    private AgentAssembly() {
    }

    static LaunchAgent assemble(LaunchConfig config, LaunchContext context, List<AgentListener> extraListeners) {
        config.warnings().forEach(w -> LOG.warn("{}", w));
        if (config.queues().isEmpty()) {
            throw new ConfigException(config.root().location() + ": queues: no queues configured; list the queues "
                    + "to poll under 'queues:' or pass -q NAME");
        }
        LaunchContext ctx = context;

        Optional<Environment> environment = environment(config, ctx);
        if (environment.isPresent()) {
            ctx = ctx.withEnvironment(environment.get());
        }
        Optional<Registry> registry = registry(config, ctx);
        if (registry.isPresent()) {
            ctx = ctx.withRegistry(registry.get());
        }
        ConfigNode builderBlock = config.builder();
        String builderType = builderBlock.string("type", "noop");
        Plugins<BuilderProvider> builders = Plugins.load(BuilderProvider.class, "builder");
        BuilderProvider bp = builders.require(builderType, builderBlock.child("type"));
        registerSecrets(bp, builderBlock, ctx);
        dev.launchkit.core.Builder builder = bp.create(builderBlock, ctx);

        Plugins<RunnerProvider> runnerPlugins = Plugins.load(RunnerProvider.class, "runner");
        LaunchContext runnerContext = ctx;
        LaunchAgent.Builder agent = LaunchAgent.builder()
                .name(config.root().string("agent_name", "launchkit-agent"))
                .context(ctx)
                .maxJobs(config.maxJobs())
                .imageBuilder(builder)
                .defaultResource(config.defaultResource())
                .stoppedRunTimeout(config.stoppedRunTimeout())
                .cancelRunsOnShutdown(config.cancelRunsOnShutdown())
                .requeue(new RequeuePolicy(config::requeueOnPreemption,
                        config.maxRequeueAttempts(config.queues().get(0))))
                .pollWait(Duration.ofMillis(config.queueBackend().integer("poll_wait_ms", 1000)));
        if (config.verbosity() > 0) {
            agent.statusInterval(Duration.ofSeconds(20));
        }
        for (String type : config.configuredRunners()) {
            RunnerProvider rp = runnerPlugins.require(type, config.root().child("runners").child(type));
            registerSecrets(rp, config.runner(type), ctx);
            agent.runner(rp.create(config.runner(type), ctx));
        }
        agent.runnerFactory(type -> createRunner(runnerPlugins, type, config, runnerContext));

        ConfigNode backend = config.queueBackend();
        String backendType = config.queueBackendType();
        Plugins<QueueProvider> queuePlugins = Plugins.load(QueueProvider.class, "queue backend");
        QueueProvider qp = queuePlugins.require(backendType, backend.has("type") ? backend.child("type") : backend);
        registerSecrets(qp, backend, ctx);
        String entity = config.entity().orElse("");
        java.util.Set<String> secretKeys = new java.util.HashSet<>(qp.secretKeys());
        secretKeys.addAll(bp.secretKeys());
        agent.queues(qp.createAll(config.queues(), entity, backend, config.toAgentConfigJson(secretKeys), ctx));
        extraListeners.forEach(agent::listener);
        agent.listener(ctx.listener());
        return agent.build();
    }

    private static Runner createRunner(Plugins<RunnerProvider> plugins, String type, LaunchConfig config,
                                       LaunchContext ctx) {
        Optional<RunnerProvider> rp = plugins.find(type);
        if (rp.isEmpty()) {
            throw new LaunchException(Stage.AGENT, "the job asks for resource " + Quoted.of(type) + ", which is not one of "
                    + String.join(", ", plugins.types()) + "; set the queue's resource to one of them, or add the "
                    + "module that provides '" + type + "' to the agent");
        }
        try {
            return rp.get().create(config.runner(type), ctx);
        } catch (ConfigException e) {
            throw new LaunchException(Stage.AGENT, "runner '" + type + "' could not be created: " + e.getMessage(), e);
        }
    }

    private static Optional<Environment> environment(LaunchConfig config, LaunchContext ctx) {
        ConfigNode block = config.environment();
        String type = block.string("type", "local");
        if (block.isMissing() || type.equals("local")) {
            return Optional.empty();
        }
        EnvironmentProvider p = Plugins.load(EnvironmentProvider.class, "environment").require(type, block.child("type"));
        registerSecrets(p, block, ctx);
        return Optional.of(p.create(block, ctx));
    }

    /**
     * The registry: {@code builder.destination} wins for building (W&B), inferring the type from the host; else the
     * deprecated {@code registry} block; {@code local} or nothing means no registry.
     */
    private static Optional<Registry> registry(LaunchConfig config, LaunchContext ctx) {
        Plugins<RegistryProvider> plugins = Plugins.load(RegistryProvider.class, "registry");
        ConfigNode block = config.registry();
        Optional<String> destination = config.builder().optString("destination");
        if (destination.isPresent()) {
            String uri = destination.get();
            String explicit = block.string("type", "");
            RegistryProvider p = !explicit.isEmpty() && !explicit.equals("local")
                    ? plugins.require(explicit, block.child("type"))
                    : plugins.all().stream().filter(rp -> rp.handles(uri)).findFirst()
                        .or(() -> plugins.find("generic"))
                        .orElseThrow(() -> config.builder().child("destination").error("no registry plugin handles '"
                                + uri + "'; add the module for its registry (ecr, gcr, acr) to the agent"));
            com.fasterxml.jackson.databind.node.ObjectNode merged = block.object();
            merged.put("uri", uri);
            ConfigNode node = ConfigNode.root(merged, config.root().location(), path -> 0);
            registerSecrets(p, node, ctx);
            return Optional.of(p.create(node, ctx));
        }
        String type = block.string("type", "local");
        if (block.isMissing() || type.equals("local")) {
            return Optional.empty();
        }
        RegistryProvider p = plugins.require(type, block.child("type"));
        registerSecrets(p, block, ctx);
        return Optional.of(p.create(block, ctx));
    }

    /** Registers the values of a provider's secret keys (anywhere in its block) with the masker. */
    static void registerSecrets(Provider provider, ConfigNode block, LaunchContext ctx) {
        registerSecrets(provider.secretKeys(), block.json(), ctx);
    }

    private static void registerSecrets(java.util.Set<String> keys, com.fasterxml.jackson.databind.JsonNode node,
                                        LaunchContext ctx) {
        if (keys.isEmpty() || node == null) {
            return;
        }
        node.fields().forEachRemaining(e -> {
            if (keys.contains(e.getKey()) && e.getValue().isValueNode()) {
                ctx.masker().register(e.getValue().asText());
            } else if (e.getValue().isContainerNode()) {
                registerSecrets(keys, e.getValue(), ctx);
            }
        });
    }
}
