package dev.launchkit.core;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the framework hands every provider when it creates a plugin: clock, scheduler, the process environment
 * (injectable for tests — plugins never read {@link System#getenv()} themselves), the agent's secret masker and
 * listener, and the plugins already built (environment and registry are built before builders and runners).
 *
 * <p>Immutable; shared by all plugins of one agent and never between agents.
 *
 * @param clock       the clock to use for timestamps and timeouts
 * @param scheduler   a shared scheduler for periodic work; plugins must not shut it down
 * @param env         environment variables (normally {@link System#getenv()})
 * @param masker      the agent's secret masker; register every secret you obtain
 * @param listener    the agent's listener (a no-op listener when none was given)
 * @param environment the configured environment, if any
 * @param registry    the configured registry, if any
 */
public record LaunchContext(Clock clock, ScheduledExecutorService scheduler, Map<String, String> env,
                            SecretMasker masker, AgentListener listener, Optional<Environment> environment,
                            Optional<Registry> registry) {

    public LaunchContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(scheduler, "scheduler");
        env = Map.copyOf(env == null ? Map.of() : env);
        Objects.requireNonNull(masker, "masker");
        Objects.requireNonNull(listener, "listener");
        environment = environment == null ? Optional.empty() : environment;
        registry = registry == null ? Optional.empty() : registry;
    }

    /** One environment variable. */
    public Optional<String> env(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** A copy with the environment plugin set. */
    public LaunchContext withEnvironment(Environment e) {
        return new LaunchContext(clock, scheduler, env, masker, listener, Optional.ofNullable(e), registry);
    }

    /** A copy with the registry plugin set. */
    public LaunchContext withRegistry(Registry r) {
        return new LaunchContext(clock, scheduler, env, masker, listener, environment, Optional.ofNullable(r));
    }

    /** A copy with other environment variables (tests). */
    public LaunchContext withEnv(Map<String, String> newEnv) {
        return new LaunchContext(clock, scheduler, newEnv, masker, listener, environment, registry);
    }

    /** A copy with another listener. */
    public LaunchContext withListener(AgentListener l) {
        return new LaunchContext(clock, scheduler, env, masker, l, environment, registry);
    }

    /**
     * A context for tests and simple embedding: system clock, a small daemon scheduler, the given environment.
     * The caller owns the scheduler and should shut it down.
     */
    public static LaunchContext basic(Map<String, String> env) {
        ScheduledExecutorService s = java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "launchkit-scheduler");
            t.setDaemon(true);
            return t;
        });
        return new LaunchContext(Clock.systemUTC(), s, env, new SecretMasker(), new AgentListener() { },
                Optional.empty(), Optional.empty());
    }
}
