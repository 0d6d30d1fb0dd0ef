package dev.launchkit.examples.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code launch-agent} command: run, render, validate and demo. */
@Command(name = "launch-agent", mixinStandardHelpOptions = true, version = "LaunchKit launch-agent 0.1.0",
        description = "A W&B-compatible launch agent for Kubernetes, on the JVM.",
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, BenchCommand.class, ReliabilityCommand.class, RenderCommand.class})
public final class LaunchAgentCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the command line and returns its exit code (0 ok, 1 runtime failure, 2 refused input). */
    public static int execute(String... args) {
        return execute(System.getenv(), args);
    }

    /** Like {@link #execute(String...)}, with {@code env} as the agent's environment instead of the process's. */
    public static int execute(Map<String, String> env, String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == RunCommand.class ? cls.cast(new RunCommand(env)) : CommandLine.defaultFactory().create(cls);
            }
        };
        return new CommandLine(new LaunchAgentCli(), factory).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
