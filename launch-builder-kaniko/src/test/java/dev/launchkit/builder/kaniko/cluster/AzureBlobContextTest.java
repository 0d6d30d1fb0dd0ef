package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.Environment;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Azure Blob build contexts: Kaniko reads them only with a storage account key, so the pod gets
 * {@code AZURE_STORAGE_ACCESS_KEY} from a Secret in the agent's namespace (never W&B's hard-coded {@code wandb}), and
 * a missing Secret fails the build before a Job is created. The store is a test double at the Environment SPI seam;
 * the Azure upload itself belongs to the azure environment plugin's tests (Azurite).
 */
class AzureBlobContextTest {
    @TempDir
    Path tmp;

    /** An "azure" environment whose store keeps blobs in a directory. */
    private Environment azure(Path blobs) {
        return new Environment() {
            @Override
            public String type() {
                return "azure";
            }

            @Override
            public Optional<String> region() {
                return Optional.empty();
            }

            @Override
            public ObjectStore objectStore(String uri) {
                if (!uri.startsWith("https://")) {
                    throw new ConfigException("not an Azure blob URL: " + uri);
                }
                return new ObjectStore() {
                    @Override
                    public URI baseUri() {
                        return URI.create(uri);
                    }

                    @Override
                    public URI upload(String key, Path file) {
                        try {
                            Files.copy(file, blobs.resolve(key), StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        return URI.create(uri + "/" + key);
                    }

                    @Override
                    public boolean exists(URI object) {
                        return Files.exists(blobs.resolve(Path.of(object.getPath()).getFileName().toString()));
                    }

                    @Override
                    public void delete(URI object) {
                        try {
                            Files.deleteIfExists(blobs.resolve(Path.of(object.getPath()).getFileName().toString()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                };
            }

            @Override
            public Map<String, String> builderEnv() {
                return Map.of("AZURE_STORAGE_ACCOUNT", "launchctx");
            }
        };
    }

    @Test
    void theStorageKeySecretOfTheAgentsNamespaceIsExposedToKaniko() throws Exception {
        Path blobs = Files.createDirectories(tmp.resolve("blobs"));
        try (BuildHarness h = new BuildHarness(tmp)) {
            h.cluster.core.createNamespacedSecret("launch", new V1Secret().apiVersion("v1").kind("Secret").metadata(new V1ObjectMeta()
                    .name("azure-storage-access-key").namespace("launch")).stringData(Map.of("password", "k3y"))).execute();
            h.builder("builder: {type: kaniko, namespace: launch, build-context-store: "
                    + "'https://launchctx.blob.core.windows.net/contexts/ctx'}", Map.of(),
                    TestRegistry.anonymous("myreg.azurecr.io/launch"), azure(blobs));

            CompletableFuture<ImageRef> build = h.buildAsync(h.codeJob("az1", Map.of("train.py", "print()\n")));
            V1Job job = h.cluster.awaitJob("launch", "wandb-launch-container-build-az1", Duration.ofSeconds(20), build);
            var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);

            assertThat(container.getArgs()).contains("--context=https://launchctx.blob.core.windows.net/contexts/ctx/az1.tgz");
            assertThat(container.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("AZURE_STORAGE_ACCESS_KEY");
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("azure-storage-access-key");
                assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
            }).anySatisfy(e -> assertThat(e.getName()).isEqualTo("AZURE_STORAGE_ACCOUNT"));
            assertThat(blobs.resolve("az1.tgz")).exists();
            h.cluster.playKanikoPod(job, "ok\n", true);
            build.get(20, TimeUnit.SECONDS);
            assertThat(blobs.resolve("az1.tgz")).doesNotExist();
        }
    }

    @Test
    void withoutTheStorageKeySecretTheBuildFailsSayingHowToCreateIt() throws Exception {
        try (BuildHarness h = new BuildHarness(tmp)) {
            h.builder("builder: {type: kaniko, namespace: launch, build-context-store: "
                    + "'https://launchctx.blob.core.windows.net/contexts/ctx'}", Map.of(),
                    TestRegistry.anonymous("myreg.azurecr.io/launch"), azure(Files.createDirectories(tmp.resolve("b"))));

            assertThatThrownBy(() -> h.buildAsync(h.codeJob("az2", Map.of("train.py", "print()\n"))).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(LaunchException.class)
                    .hasMessageContaining("Secret 'azure-storage-access-key' (key 'password') in namespace launch")
                    .hasMessageContaining("kubectl -n launch create secret generic azure-storage-access-key");
            assertThat(h.cluster.batch.listNamespacedJob("launch").execute().getItems()).isEmpty();
        }
    }
}
