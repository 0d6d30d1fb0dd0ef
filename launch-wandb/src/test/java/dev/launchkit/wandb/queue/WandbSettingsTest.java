package dev.launchkit.wandb.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbSettingsTest {
    private static final String KEY = "k".repeat(40);

    private static ConfigNode block(ObjectNode json) {
        return ConfigNode.of(json, "launch-config.yaml");
    }

    private static ObjectNode json() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void defaultsFollowTheWandbAgent() {
        WandbSettings s = WandbSettings.from(block(json()), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY)));

        assertThat(s.client().baseUrl()).isEqualTo(URI.create("https://api.wandb.ai"));
        assertThat(s.project()).isEqualTo("model-registry");
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.maxErrorBackoff()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.runInitTimeout()).isEqualTo(Duration.ofSeconds(63));
        assertThat(s.agentVersion()).startsWith("launchkit@").doesNotContain("${");
        assertThat(s.allowOtherEntities()).isFalse();
        assertThat(s.toString()).doesNotContain(KEY);
    }

    @Test
    void readsTheBaseUrlHostnameAndVersionFromTheEnvironment() {
        WandbSettings s = WandbSettings.from(block(json()), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY,
                "WANDB_BASE_URL", "https://wandb.example.com/", "HOSTNAME", "agent-pod-1",
                "WANDB_AGENT_VERSION", "v1.2.3")));

        assertThat(s.client().baseUrl()).isEqualTo(URI.create("https://wandb.example.com"));
        assertThat(s.client().graphqlUrl()).isEqualTo(URI.create("https://wandb.example.com/graphql"));
        assertThat(s.hostname()).isEqualTo("agent-pod-1");
        assertThat(s.agentVersion()).isEqualTo("v1.2.3");
    }

    @Test
    void theChartsPlaceholderVersionIsNotReported() {
        WandbSettings s = WandbSettings.from(block(json()), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY,
                "WANDB_AGENT_VERSION", "wandb-launch-agent")));

        assertThat(s.agentVersion()).startsWith("launchkit@");
    }

    @Test
    void durationsTakeSecondsOrUnits() {
        ObjectNode b = json();
        b.put("poll_interval", 2);
        b.put("error_backoff", "250ms");
        b.put("max_error_backoff", "2m");
        b.put("run_init_timeout", 0);
        b.put("request_timeout", "0.5");
        WandbSettings s = WandbSettings.from(block(b), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY)));

        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.errorBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.maxErrorBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.runInitTimeout()).isZero();
        assertThat(s.client().requestTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aBadDurationNamesTheKeyAndTheAcceptedForms() {
        ObjectNode b = json();
        b.put("poll_interval", "ten seconds");

        assertThatThrownBy(() -> WandbSettings.from(block(b), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("poll_interval: 'ten seconds' is not a duration")
                .hasMessageContaining("250ms, 10s, 2m");
    }

    @Test
    void aMissingApiKeySaysWhereToSetIt() {
        assertThatThrownBy(() -> WandbSettings.from(block(json()), LaunchContext.basic(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WANDB_API_KEY is not set");
    }

    @Test
    void aBaseUrlThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> WandbSettings.from(block(json()), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY,
                "WANDB_BASE_URL", "api.wandb.ai"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WANDB_BASE_URL: 'api.wandb.ai' is not an http(s) URL");
    }

    @Test
    void caBundlesFromBothVariablesAreTrusted(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.pem"), "x");
        Path b = Files.writeString(dir.resolve("b.pem"), "y");
        WandbSettings s = WandbSettings.from(block(json()), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY,
                "REQUESTS_CA_BUNDLE", a.toString(), "SSL_CERT_FILE", b.toString())));

        assertThat(s.client().caBundles()).containsExactly(a, b);
    }

    @Test
    void aCaBundleThatIsNotThereNamesTheVariable(@TempDir Path dir) {
        String missing = dir.resolve("custom-ca.crt").toString();

        assertThatThrownBy(() -> WandbSettings.from(block(json()), LaunchContext.basic(Map.of("WANDB_API_KEY", KEY,
                "REQUESTS_CA_BUNDLE", missing))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REQUESTS_CA_BUNDLE=" + missing + ": no readable PEM file there");
    }
}
