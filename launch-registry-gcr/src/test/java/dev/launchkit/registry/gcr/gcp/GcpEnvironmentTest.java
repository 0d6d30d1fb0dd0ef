package dev.launchkit.registry.gcr.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.launchkit.registry.gcr.testing.FakeGcs;
import dev.launchkit.registry.gcr.testing.FakeGoogleOAuth;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gcp environment and its GCS store, with google-cloud-storage against a Cloud Storage JSON API fake. */
class GcpEnvironmentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeGoogleOAuth oauth;
    private static FakeGcs gcs;
    private static Path keyFile;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        oauth = new FakeGoogleOAuth();
        gcs = new FakeGcs(oauth);
        gcs.bucket("launch-contexts", Set.of("storage.objects.create", "storage.objects.get",
                "storage.objects.delete"));
        gcs.bucket("read-only", Set.of("storage.objects.get"));
        keyFile = oauth.writeServiceAccountKey(dir);
    }

    @AfterAll
    static void stop() {
        gcs.close();
        oauth.close();
    }

    private static ConfigNode block(Map<String, String> values) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode block = root.putObject("environment");
        block.put("type", "gcp");
        values.forEach(block::put);
        return ConfigNode.of(root, "launch-config.yaml").child("environment");
    }

    private static Environment environment(Map<String, String> env) {
        return provider().create(block(Map.of("region", "us-central1", "storage-endpoint",
                gcs.endpoint().toString())), LaunchContext.basic(env));
    }

    private static Environment environment() {
        return environment(Map.of("GOOGLE_APPLICATION_CREDENTIALS", keyFile.toString()));
    }

    private static EnvironmentProvider provider() {
        return Plugins.load(EnvironmentProvider.class, "environment").require("gcp");
    }

    @Test
    void requiresARegionAndFallsBackToGoogleCloudRegion() {
        assertThatThrownBy(() -> provider().create(block(Map.of()), LaunchContext.basic(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment.region: is required for the gcp environment")
                .hasMessageContaining("GOOGLE_CLOUD_REGION");

        Environment e = provider().create(block(Map.of()), LaunchContext.basic(Map.of("GOOGLE_CLOUD_REGION",
                "europe-west4")));
        assertThat(e.type()).isEqualTo("gcp");
        assertThat(e.region()).contains("europe-west4");
    }

    @Test
    void uploadsFindsAndDeletesABuildContext(@TempDir Path tmp) throws Exception {
        Path context = Files.write(tmp.resolve("ctx.tgz"), "build context bytes".getBytes());
        ObjectStore store = environment().objectStore("gs://launch-contexts/agent/contexts");

        assertThat(store.baseUri()).isEqualTo(URI.create("gs://launch-contexts/agent/contexts/"));
        URI uploaded = store.upload("run-abc.tgz", context);

        assertThat(uploaded).isEqualTo(URI.create("gs://launch-contexts/agent/contexts/run-abc.tgz"));
        assertThat(gcs.object("launch-contexts", "agent/contexts/run-abc.tgz"))
                .hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("build context bytes"));
        assertThat(store.exists(uploaded)).isTrue();
        assertThat(store.exists(URI.create("gs://launch-contexts/agent/contexts/other.tgz"))).isFalse();

        store.delete(uploaded);
        assertThat(store.exists(uploaded)).isFalse();
        store.delete(uploaded);
    }

    @Test
    void uploadsALargeContextInChunks(@TempDir Path tmp) throws Exception {
        byte[] big = new byte[20 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        Path context = Files.write(tmp.resolve("big.tgz"), big);

        URI uploaded = environment().objectStore("gs://launch-contexts").upload("big.tgz", context);

        assertThat(uploaded).isEqualTo(URI.create("gs://launch-contexts/big.tgz"));
        assertThat(gcs.object("launch-contexts", "big.tgz")).hasValueSatisfying(b -> assertThat(b).isEqualTo(big));
    }

    @Test
    void verifyAcceptsAWritableBucket() {
        Environment e = environment();
        e.verify();
        e.objectStore("gs://launch-contexts/x").verify();
    }

    @Test
    void verifyTellsAMissingBucketFromMissingPermissions() {
        assertThatThrownBy(() -> environment().objectStore("gs://no-such-bucket/x").verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bucket gs://no-such-bucket does not exist");
        assertThatThrownBy(() -> environment().objectStore("gs://read-only/x").verify())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("access denied")
                .hasMessageContaining("lacks storage.objects.create, storage.objects.delete on bucket gs://read-only");
    }

    @Test
    void anUploadWithoutPermissionNamesTheBucket(@TempDir Path tmp) throws Exception {
        Path context = Files.write(tmp.resolve("ctx.tgz"), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> environment().objectStore("gs://read-only/p").upload("x.tgz", context))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("uploading ctx.tgz to gs://read-only/p/x.tgz failed")
                .hasMessageContaining("access denied to bucket gs://read-only (HTTP 403");
    }

    @Test
    void refusesAStoreOfAnotherCloud() {
        assertThatThrownBy(() -> environment().objectStore("s3://bucket/prefix"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'s3://bucket/prefix' is not a gs://bucket/prefix URI");
    }

    @Test
    void verifyNamesTheCredentialsSourceWhenTheKeyFileIsMissing() {
        Environment e = environment(Map.of("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json"));

        assertThatThrownBy(e::verify)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment gcp: no Google credentials: "
                        + "GOOGLE_APPLICATION_CREDENTIALS=/nonexistent/key.json names a file that does not exist");
    }

    @Test
    void verifyReportsARevokedKey() {
        oauth.refuse(true);
        try {
            assertThatThrownBy(environment()::verify)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("could not get a Google access token from GOOGLE_APPLICATION_CREDENTIALS=")
                    .hasMessageContaining("invalid_grant");
        } finally {
            oauth.refuse(false);
        }
    }

    @Test
    void anUnreachableStorageEndpointFailsTheUploadWithAClearMessage(@TempDir Path tmp) throws Exception {
        Path context = Files.write(tmp.resolve("ctx.tgz"), new byte[] {1});
        Environment e = provider().create(block(Map.of("region", "us-central1", "storage-endpoint",
                "http://127.0.0.1:" + Tools.freePort())), LaunchContext.basic(Map.of("GOOGLE_APPLICATION_CREDENTIALS",
                keyFile.toString())));

        assertThatThrownBy(() -> e.objectStore("gs://launch-contexts").upload("x.tgz", context))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("uploading ctx.tgz to gs://launch-contexts/x.tgz failed: cannot reach Cloud "
                        + "Storage");
    }
}
