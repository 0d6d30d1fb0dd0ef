package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.monitor.Json.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MonitorSettingsTest {
    private final LaunchContext context = LaunchContext.basic(Map.of());

    @AfterEach
    void stop() {
        context.scheduler().shutdownNow();
    }

    private static ConfigNode config(String text) {
        return ConfigNode.of(json(text), "launch-config.yaml");
    }

    @Test
    void defaultsFollowWandb() {
        MonitorSettings s = MonitorSettings.from(config("{}"), context);
        assertThat(s.startTimeout()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(s.followLogs()).isTrue();
        assertThat(s.logTailBytes()).isEqualTo(64 * 1024);
        assertThat(s.kinds()).isEmpty();
    }

    @Test
    void startTimeoutComesFromTheEnvironmentInFractionalSeconds() {
        MonitorSettings s = MonitorSettings.from(config("{}"), context.withEnv(Map.of("WANDB_LAUNCH_START_TIMEOUT", "2.5")));
        assertThat(s.startTimeout()).isEqualTo(Duration.ofMillis(2500));
        MonitorSettings off = MonitorSettings.from(config("{}"), context.withEnv(Map.of("WANDB_LAUNCH_START_TIMEOUT", "0")));
        assertThat(off.startTimeoutEnabled()).isFalse();
    }

    @Test
    void theConfigKeyWinsOverTheEnvironment() {
        MonitorSettings s = MonitorSettings.from(config("{\"start_timeout\": 60}"),
                context.withEnv(Map.of("WANDB_LAUNCH_START_TIMEOUT", "1800")));
        assertThat(s.startTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void readsLogsAndCustomResourceKinds() {
        MonitorSettings s = MonitorSettings.from(config("""
                {"log_tail_kb": 8, "follow_logs": false, "max_log_streams": 3,
                 "custom_resources": [{"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "plural": "pytorchjobs"}]}
                """), context);
        assertThat(s.logTailBytes()).isEqualTo(8192);
        assertThat(s.followLogs()).isFalse();
        assertThat(s.maxLogStreams()).isEqualTo(3);
        assertThat(s.kinds()).containsExactly(new ResourceKind("kubeflow.org/v1", "PyTorchJob", "pytorchjobs"));
    }

    @Test
    void badValuesNameTheKeyOrVariable() {
        assertThatThrownBy(() -> MonitorSettings.from(config("{\"start_timeout\": \"soon\"}"), context))
                .isInstanceOf(ConfigException.class).hasMessageContaining("start_timeout: expected a number of seconds");
        assertThatThrownBy(() -> MonitorSettings.from(config("{}"), context.withEnv(Map.of("WANDB_LAUNCH_START_TIMEOUT", "-1"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WANDB_LAUNCH_START_TIMEOUT");
        assertThatThrownBy(() -> MonitorSettings.from(config("{\"log_tail_kb\": 0}"), context))
                .hasMessageContaining("log_tail_kb: must be at least 1");
        assertThatThrownBy(() -> MonitorSettings.from(config("{\"custom_resources\": [{\"apiVersion\": \"kubeflow.org/v1\", \"kind\": \"PyTorchJob\"}]}"), context))
                .hasMessageContaining("custom_resources[0].plural: is required");
    }
}
