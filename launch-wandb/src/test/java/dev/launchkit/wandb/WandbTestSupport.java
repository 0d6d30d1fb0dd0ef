package dev.launchkit.wandb;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.wandb.queue.WandbSession;
import dev.launchkit.wandb.queue.WandbSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Shared set-up for tests against the testkit's {@link FakeWandbServer}. */
public final class WandbTestSupport {
    public static final String TEAM = "my-team";

    private WandbTestSupport() {
    }

    /** A context whose environment points at the fake server. */
    public static LaunchContext context(FakeWandbServer server) {
        return LaunchContext.basic(server.agentEnv());
    }

    /** Like {@link #context(FakeWandbServer)} with extra environment variables. */
    public static LaunchContext context(FakeWandbServer server, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(server.agentEnv());
        env.putAll(extra);
        return LaunchContext.basic(env);
    }

    /** A queue_backend block with short intervals, so tests run in milliseconds. */
    public static ObjectNode fastBackend(Path downloads) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("type", "wandb");
        b.put("poll_interval", "100ms");
        b.put("error_backoff", "50ms");
        b.put("max_error_backoff", "200ms");
        b.put("max_retries", 2);
        b.put("retry_backoff", "10ms");
        b.put("max_retry_backoff", "40ms");
        b.put("run_init_timeout", "300ms");
        b.put("hostname", "test-host");
        b.put("download_dir", downloads.toString());
        return b;
    }

    public static ConfigNode node(ObjectNode json) {
        return ConfigNode.of(json, "launch-config.yaml");
    }

    /** Settings from {@link #fastBackend} and the context's environment. */
    public static WandbSettings settings(LaunchContext context, Path downloads) {
        return WandbSettings.from(node(fastBackend(downloads)), context);
    }

    /** A session for {@link #TEAM} with fast settings. */
    public static WandbSession session(FakeWandbServer server, LaunchContext context, Path downloads) {
        return WandbSession.connect(settings(context, downloads), TEAM, context);
    }

    /** An image job's runSpec for entity/project. */
    public static ObjectNode imageSpec(String entity, String project) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("entity", entity);
        s.put("project", project);
        s.putObject("docker").put("docker_image", "python:3.12-slim");
        s.putObject("overrides").putArray("entry_point").add("python").add("-c").add("print(1)");
        return s;
    }

    /** A runSpec naming a W&B job. */
    public static ObjectNode jobSpec(String entity, String project, String job) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("entity", entity);
        s.put("project", project);
        s.put("job", job);
        return s;
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
