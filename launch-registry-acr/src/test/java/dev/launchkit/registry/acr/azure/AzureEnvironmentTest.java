package dev.launchkit.registry.acr.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.core.registry.testing.Tools;
import dev.launchkit.testkit.servers.Azurite;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The azure environment's Blob store with azure-storage-blob (JDK HTTP client) against Azurite. */
class AzureEnvironmentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STORE = "https://devstoreaccount1.blob.core.windows.net/contexts/launch";
    private static Azurite azurite;
    private static BlobContainerClient contexts;

    @BeforeAll
    static void start() {
        azurite = Azurite.start();
        contexts = new BlobServiceClientBuilder().endpoint(azurite.blobEndpoint())
                .credential(new StorageSharedKeyCredential(Azurite.ACCOUNT, Azurite.KEY))
                .httpClient(new JdkHttpClientBuilder().build()).buildClient().getBlobContainerClient("contexts");
        contexts.create();
    }

    @AfterAll
    static void stop() {
        if (azurite != null) {
            azurite.close();
        }
    }

    private static ConfigNode block(String... keyValues) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode block = root.putObject("environment");
        block.put("type", "azure");
        block.put("blob-endpoint", azurite.blobEndpoint());
        for (int i = 0; i < keyValues.length; i += 2) {
            block.put(keyValues[i], keyValues[i + 1]);
        }
        return ConfigNode.of(root, "launch-config.yaml").child("environment");
    }

    private static EnvironmentProvider provider() {
        return Plugins.load(EnvironmentProvider.class, "environment").require("azure");
    }

    /** The environment with the storage key from AZURE_STORAGE_ACCESS_KEY, as Kaniko gets it. */
    private static Environment environment(LaunchContext context) {
        return provider().create(block(), context);
    }

    private static LaunchContext withKey(String key) {
        return LaunchContext.basic(Map.of("AZURE_STORAGE_ACCESS_KEY", key));
    }

    @Test
    void declaresTheStorageKeySecretAndMasksTheKeyFromTheEnvironment() {
        LaunchContext context = withKey(Azurite.KEY);
        Environment e = environment(context);

        assertThat(provider().secretKeys()).containsExactly("storage-account-key");
        assertThat(e.type()).isEqualTo("azure");
        assertThat(e.region()).isEmpty();
        assertThat(context.masker().mask("key=" + Azurite.KEY)).isEqualTo("key=****");
        assertThat(e.toString()).doesNotContain(Azurite.KEY);
    }

    @Test
    void uploadsFindsAndDeletesABuildContext(@TempDir Path tmp) throws Exception {
        Path context = Files.write(tmp.resolve("ctx.tgz"), "azure build context".getBytes());
        ObjectStore store = environment(withKey(Azurite.KEY)).objectStore(STORE);

        assertThat(store.baseUri()).isEqualTo(URI.create(STORE + "/"));
        URI uploaded = store.upload("run-1.tgz", context);

        assertThat(uploaded).isEqualTo(URI.create(STORE + "/run-1.tgz"));
        assertThat(contexts.getBlobClient("launch/run-1.tgz").downloadContent().toString())
                .isEqualTo("azure build context");
        assertThat(store.exists(uploaded)).isTrue();
        assertThat(store.exists(URI.create(STORE + "/other.tgz"))).isFalse();

        store.delete(uploaded);
        assertThat(store.exists(uploaded)).isFalse();
        store.delete(uploaded);
    }

    @Test
    void theKeyCanComeFromTheConfigBlockToo(@TempDir Path tmp) throws Exception {
        LaunchContext context = LaunchContext.basic(Map.of());
        Environment e = provider().create(block("storage-account-key", Azurite.KEY, "region", "westeurope"), context);

        URI uploaded = e.objectStore(STORE).upload("cfg.tgz", Files.write(tmp.resolve("c.tgz"), new byte[] {4, 2}));

        assertThat(e.region()).contains("westeurope");
        assertThat(contexts.getBlobClient("launch/cfg.tgz").exists()).isTrue();
        assertThat(uploaded.toString()).endsWith("/contexts/launch/cfg.tgz");
        assertThat(context.masker().mask(Azurite.KEY)).isEqualTo("****");
    }

    @Test
    void verifyTellsAMissingContainerFromAWrongKey() {
        environment(withKey(Azurite.KEY)).objectStore(STORE).verify();

        assertThatThrownBy(() -> environment(withKey(Azurite.KEY))
                .objectStore("https://devstoreaccount1.blob.core.windows.net/missing/x").verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("container 'missing' does not exist in storage account 'devstoreaccount1'");

        String wrongKey = java.util.Base64.getEncoder().encodeToString(new byte[64]);
        assertThatThrownBy(() -> environment(withKey(wrongKey)).objectStore(STORE).verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access denied to storage account 'devstoreaccount1', container 'contexts' "
                        + "(HTTP 403")
                .hasMessageNotContaining(wrongKey);
    }

    @Test
    void anUploadWithAWrongKeyFailsWithTheContainerNamed(@TempDir Path tmp) throws Exception {
        Path context = Files.write(tmp.resolve("ctx.tgz"), new byte[] {1});
        String wrongKey = java.util.Base64.getEncoder().encodeToString(new byte[64]);

        assertThatThrownBy(() -> environment(withKey(wrongKey)).objectStore(STORE).upload("x.tgz", context))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("uploading ctx.tgz to " + STORE + "/x.tgz failed: access denied");
    }

    @Test
    void refusesAStoreOfAnotherCloud() {
        assertThatThrownBy(() -> environment(withKey(Azurite.KEY)).objectStore("gs://bucket/prefix"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'gs://bucket/prefix' is not https://<account>.blob.core.windows.net/"
                        + "<container>/<prefix>");
    }

    @Test
    void withoutAKeyVerifyNeedsAnAzureIdentityAndSaysSo() {
        Environment e = provider().create(block("credential", "environment"), LaunchContext.basic(Map.of()));

        assertThatThrownBy(e::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment azure: no Azure credentials for Blob Storage")
                .hasMessageContaining("AZURE_STORAGE_ACCESS_KEY");
    }

    @Test
    void anUnreachableEndpointFailsTheUploadWithAClearMessage(@TempDir Path tmp) throws Exception {
        Path context = Files.write(tmp.resolve("ctx.tgz"), new byte[] {1});
        Environment e = provider().create(block("blob-endpoint", "http://127.0.0.1:" + Tools.freePort()
                + "/devstoreaccount1"), withKey(Azurite.KEY));

        assertThatThrownBy(() -> e.objectStore(STORE).upload("x.tgz", context))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("uploading ctx.tgz to " + STORE + "/x.tgz failed: cannot reach Blob Storage");
    }
}
