package dev.launchkit.k8s.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.testkit.cluster.SimulatedCluster;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeConnectionTest {
    private final SimulatedCluster cluster = SimulatedCluster.start();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        cluster.close();
    }

    private Path kubeconfig() throws Exception {
        Path file = dir.resolve("config");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                current-context: prod
                clusters:
                  - name: sim
                    cluster: {server: '%s'}
                  - name: nowhere
                    cluster: {server: 'http://127.0.0.1:1'}
                contexts:
                  - name: dev
                    context: {cluster: sim, user: u, namespace: team-a}
                  - name: prod
                    context: {cluster: nowhere, user: u}
                users:
                  - name: u
                    user: {token: t}
                """.formatted(cluster.url()));
        return file;
    }

    @Test
    void connectsThroughTheNamedContextOfTheConfiguredKubeconfig() throws Exception {
        KubeConnection c = KubeConnection.connect(kubeconfig().toString(), "dev", Map.of());

        assertThat(c.contextName()).isEqualTo("dev");
        assertThat(c.contextNamespace()).isEqualTo("team-a");
        assertThat(c.kubeconfig()).isEqualTo(dir.resolve("config").toAbsolutePath().toString());
        new CoreV1Api(c.client()).createNamespacedConfigMap("team-a", new V1ConfigMap().apiVersion("v1")
                .kind("ConfigMap").metadata(new V1ObjectMeta().name("probe"))).execute();
        assertThat(new CoreV1Api(cluster.apiClient()).readNamespacedConfigMap("probe", "team-a").execute()).isNotNull();
    }

    @Test
    void usesTheCurrentContextWhenNoneIsNamed() throws Exception {
        KubeConnection c = KubeConnection.connect(kubeconfig().toString(), "", Map.of());

        assertThat(c.contextName()).isEqualTo("prod");
        assertThat(c.contextNamespace()).isEmpty();
    }

    @Test
    void findsTheKubeconfigThroughTheKubeconfigVariable() throws Exception {
        KubeConnection c = KubeConnection.connect("", "dev", Map.of("KUBECONFIG", kubeconfig().toString()));

        assertThat(c.contextNamespace()).isEqualTo("team-a");
    }

    @Test
    void refusesAContextTheFileDoesNotHaveListingThoseItHas() throws Exception {
        Path file = kubeconfig();

        assertThatThrownBy(() -> KubeConnection.connect(file.toString(), "staging", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("runners.kubernetes.context: 'staging' is not a context of")
                .hasMessageContaining("(it has: dev, prod)");
    }

    @Test
    void refusesAMissingKubeconfigSayingWhatToSet() {
        assertThatThrownBy(() -> KubeConnection.connect("", "", Map.of("KUBECONFIG", dir.resolve("none").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no Kubernetes configuration found")
                .hasMessageContaining("runners.kubernetes.kubeconfig");
    }

    @Test
    void refusesAnUnreadableKubeconfigNamingTheKey() throws Exception {
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "clusters: [\n");

        assertThatThrownBy(() -> KubeConnection.connect(bad.toString(), "", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("runners.kubernetes.kubeconfig: cannot read");
    }
}
