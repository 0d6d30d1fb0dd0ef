package dev.launchkit.registry.ecr.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.AgentListener;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's AWS: the fake ECR and STS on 127.0.0.1, their shared identities, a movable clock, an empty HOME, and
 * the agent environment variables that point the SDK at the fakes with valid keys. Register with
 * {@code @RegisterExtension}.
 */
public final class TestAws implements BeforeEachCallback, AfterEachCallback {
    public static final String ACCOUNT = "123456789012";
    public static final String REGION = "us-east-1";
    public static final String HOST = ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com";
    public static final String KEY_ID = "AKIDLAUNCHAGENT01";
    public static final String SECRET = "launch-agent-secret-Zq8wPn";
    public static final String AGENT_ARN = "arn:aws:iam::" + ACCOUNT + ":user/launch-agent";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    public final FakeAwsIdentities identities = new FakeAwsIdentities();
    public final SecretMasker masker = new SecretMasker();
    public FakeEcr ecr;
    public FakeSts sts;
    public Path home;
    private ScheduledExecutorService scheduler;
    private final List<AutoCloseable> toClose = new java.util.ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        identities.add(KEY_ID, SECRET, AGENT_ARN);
        ecr = new FakeEcr(identities, REGION, clock);
        sts = new FakeSts(identities);
        home = Files.createTempDirectory("launchkit-aws-home");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        ecr.close();
        sts.close();
        scheduler.shutdownNow();
        try (var files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Closes {@code c} after the test (registries, environments). */
    public <T> T closeLater(T c) {
        if (c instanceof AutoCloseable a) {
            toClose.add(0, a);
        }
        return c;
    }

    /**
     * The agent's environment: HOME without AWS files, IMDS disabled (no request ever leaves 127.0.0.1), ECR and
     * STS endpoints at the fakes, and valid static keys.
     */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_ENDPOINT_URL_ECR", ecr.uri().toString());
        env.put("AWS_ENDPOINT_URL_STS", sts.uri().toString());
        env.put("AWS_ACCESS_KEY_ID", KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET);
        return env;
    }

    /** {@link #env()} without the given variables. */
    public Map<String, String> envWithout(String... names) {
        Map<String, String> env = env();
        for (String n : names) {
            env.remove(n);
        }
        return env;
    }

    public LaunchContext context() {
        return context(env());
    }

    public LaunchContext context(Map<String, String> env) {
        return new LaunchContext(clock, scheduler, env, masker, new AgentListener() { }, Optional.empty(),
                Optional.empty());
    }

    /** A config block from YAML, reported as launch-config.yaml. */
    public static ConfigNode config(String yaml) {
        try {
            return ConfigNode.of(YAML.readTree(yaml), "launch-config.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
