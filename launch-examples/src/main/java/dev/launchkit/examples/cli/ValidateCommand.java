package dev.launchkit.examples.cli;

import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.QueueProvider;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.RunnerProvider;
import dev.launchkit.core.config.LaunchConfig;
import dev.launchkit.core.plugin.Plugins;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code launch-agent validate}: checks a launch-config.yaml (and queue configs) the way the agent would load them,
 * without contacting anything. Exit code 0 when valid, 2 when not; one message per line, fit for CI.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check launch-config.yaml and queue configs without running anything.")
final class ValidateCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "Path to launch-config.yaml.")
    Path config;
    @Option(names = "--queue-config", description = "A queue's resource config (YAML/JSON) to check too (repeatable).")
    List<Path> queueConfigs = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> errors = new ArrayList<>();
        LaunchConfig cfg = null;
        try {
            cfg = LaunchConfig.load(config, System.getenv());
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        if (cfg != null) {
            cfg.warnings().forEach(w -> System.out.println("warning: " + w));
            if (cfg.queues().isEmpty()) {
                errors.add(cfg.root().location() + ": queues: no queues configured; list the queues to poll");
            }
            checkType(errors, BuilderProvider.class, "builder", cfg.builder(), "noop");
            checkType(errors, EnvironmentProvider.class, "environment", cfg.environment(), "local");
            checkType(errors, RegistryProvider.class, "registry", cfg.registry(), "local");
            checkType(errors, QueueProvider.class, "queue backend", cfg.queueBackend(), "wandb");
            for (String runner : cfg.configuredRunners()) {
                try {
                    Plugins.load(RunnerProvider.class, "runner").require(runner, cfg.root().child("runners").child(runner));
                } catch (ConfigException e) {
                    errors.add(e.getMessage());
                }
            }
        }
        for (Path q : queueConfigs) {
            errors.addAll(QueueConfigCheck.check(q));
        }
        if (errors.isEmpty()) {
            System.out.println("ok: " + config + (queueConfigs.isEmpty() ? "" : " and " + queueConfigs.size()
                    + " queue config(s)") + " are valid");
            return 0;
        }
        errors.forEach(e -> System.err.println("error: " + e));
        return 2;
    }

    private static <P extends dev.launchkit.core.Provider> void checkType(List<String> errors, Class<P> spi,
                                                                          String what, ConfigNode block, String none) {
        String type = block.string("type", none);
        if (type.equals(none) && (none.equals("local") || block.isMissing())) {
            return;
        }
        try {
            Plugins.load(spi, what).require(type, block.has("type") ? block.child("type") : block);
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
    }
}
