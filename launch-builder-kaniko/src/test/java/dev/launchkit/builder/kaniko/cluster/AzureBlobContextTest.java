package dev.launchkit.builder.kaniko.cluster;

import static dev.launchkit.builder.kaniko.cluster.BuildHarness.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.LaunchException;
import dev.launchkit.registry.acr.azure.AzureEnvironmentProvider;
import dev.launchkit.testkit.servers.Azurite;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Azure Blob build contexts through the real azure environment (azure-storage-blob) against Azurite on 127.0.0.1:
 * the context is uploaded to {@code <container>/<run_id>.tgz}, Kaniko reads it with the storage account key from a
 * Secret of the agent's namespace (never W&B's hard-coded {@code wandb}, never a plain value), and the blob is
 * deleted after the build. A missing Secret fails the build before a Job is created.
 */
class AzureBlobContextTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String STORE = "https://" + Azurite.ACCOUNT + ".blob.core.windows.net/contexts";
    private static final String NS = "launch";
    private static Azurite azurite;
    private static BlobContainerClient contexts;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startAzurite() {
        azurite = Azurite.start();
        contexts = new BlobServiceClientBuilder().endpoint(azurite.blobEndpoint())
                .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT, Azurite.KEY))
                .httpClient(new JdkHttpClientBuilder().build()).buildClient().getBlobContainerClient("contexts");
        contexts.create();
    }

    @AfterAll
    static void stopAzurite() {
        if (azurite != null) {
            azurite.close();
        }
    }

    /** The azure environment with the blob endpoint at Azurite and the key from AZURE_STORAGE_ACCESS_KEY. */
    private static Environment azure(BuildHarness h) throws Exception {
        ConfigNode block = ConfigNode.of(YAML.readTree("environment:\n  type: azure\n  blob-endpoint: "
                + azurite.blobEndpoint() + "\n"), "launch-config.yaml").child("environment");
        return new AzureEnvironmentProvider().create(block, h.context(agentEnv(), null, null));
    }

    private static Map<String, String> agentEnv() {
        return Map.of(AzureEnvironmentProvider.KEY_ENV, Azurite.KEY);
    }

    @Test
    void uploadsTheContextToTheContainerForKanikoWithTheKeyFromASecretAndDeletesItAfterTheBuild() throws Exception {
        try (BuildHarness h = new BuildHarness(tmp)) {
            h.core.createNamespacedSecret(NS, new V1Secret().apiVersion("v1").kind("Secret").metadata(
                    new V1ObjectMeta().name("azure-storage-access-key").namespace(NS))
                    .stringData(Map.of("password", Azurite.KEY))).execute();
            h.builder("builder: {type: kaniko, namespace: " + NS + ", build-context-store: '" + STORE + "'}",
                    agentEnv(), TestRegistry.anonymous("myreg.azurecr.io/launch"), azure(h));
            List<String> entries = new ArrayList<>();
            h.duringBuild(job -> {
                assertThat(contexts.getBlobClient("az1.tgz").exists()).as("context blob while Kaniko runs").isTrue();
                entries.addAll(entries(contexts.getBlobClient("az1.tgz").downloadContent().toBytes()));
                var container = container(job);
                assertThat(container.getArgs()).contains("--context=" + STORE + "/az1.tgz");
                assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("AZURE_STORAGE_ACCESS_KEY"))
                        .singleElement().satisfies(e -> {
                            assertThat(e.getValue()).isNull();
                            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("azure-storage-access-key");
                            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
                        });
                assertThat(JSON.serialize(job)).doesNotContain(Azurite.KEY);
            });

            ImageRef image = h.build(h.codeJob("az1", Map.of("train.py", "print('azure')\n")));

            assertThat(entries).contains("Dockerfile.wandb", "src/train.py");
            assertThat(container(h.createdJob("az1")).getArgs()).contains("--destination=" + image);
            assertThat(contexts.getBlobClient("az1.tgz").exists()).as("context deleted after the build").isFalse();
            h.awaitJobAndPodsGone(NS, "az1");
            assertThat(h.logs).anyMatch(l -> l.equals("build: context uploaded to " + STORE + "/az1.tgz"))
                    .noneMatch(l -> l.contains(Azurite.KEY));
        }
    }

    @Test
    void withoutTheStorageKeySecretTheBuildFailsSayingHowToCreateIt() throws Exception {
        try (BuildHarness h = new BuildHarness(tmp)) {
            h.builder("builder: {type: kaniko, namespace: " + NS + ", build-context-store: '" + STORE + "'}",
                    agentEnv(), TestRegistry.anonymous("myreg.azurecr.io/launch"), azure(h));

            assertThatThrownBy(() -> h.build(h.codeJob("az2", Map.of("train.py", "print()\n"))))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(LaunchException.class)
                    .hasMessageContaining("Secret 'azure-storage-access-key' (key 'password') in namespace launch")
                    .hasMessageContaining("kubectl -n launch create secret generic azure-storage-access-key")
                    .hasMessageNotContaining(Azurite.KEY);
            assertThat(h.batch.listNamespacedJob(NS).execute().getItems()).isEmpty();
            assertThat(contexts.getBlobClient("az2.tgz").exists()).as("context deleted after the failure").isFalse();
        }
    }

    private static List<String> entries(byte[] tgz) throws Exception {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(tgz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                out.add(e.getName());
            }
        }
        return out;
    }
}
