package dev.launchkit.registry.ecr.aws;

import static dev.launchkit.registry.ecr.fakes.TestAws.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.Stage;
import dev.launchkit.registry.ecr.fakes.TestAws;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 object store against s3proxy (a real S3-compatible server, in-process, checking SigV4) on 127.0.0.1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ObjectStoreTest {
    private static final String KEY_ID = "AKIDS3PROXY000001";
    private static final String SECRET = "s3proxy-secret-Lk29vX";
    private final AtomicInteger buckets = new AtomicInteger();

    @RegisterExtension
    final TestAws aws = new TestAws();
    @TempDir
    Path dir;

    private S3ProxyJunitCore s3proxy;
    private S3Client admin;
    private String bucket;

    @BeforeAll
    void startS3proxy() throws Exception {
        s3proxy = new S3ProxyJunitCore.Builder().withCredentials(KEY_ID, SECRET)
                .withBlobStoreProvider("transient").build();
        s3proxy.beforeEach();
        // A plain SDK client to arrange buckets and read objects back, independent of the plugin.
        admin = S3Client.builder().endpointOverride(s3proxy.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
                .build();
    }

    @AfterAll
    void stopS3proxy() {
        admin.close();
        s3proxy.afterEach();
    }

    @BeforeEach
    void newBucket() {
        bucket = "launch-contexts-" + buckets.incrementAndGet();
        admin.createBucket(b -> b.bucket(bucket));
    }

    private AwsEnvironment environment(Map<String, String> env) {
        return (AwsEnvironment) aws.closeLater(new AwsEnvironmentProvider().create(
                config("region: us-east-1\nendpoints:\n  s3: " + s3proxy.getUri() + "\n"), aws.context(env)));
    }

    private Map<String, String> env(String keyId, String secret) {
        Map<String, String> env = aws.env();
        env.put("AWS_ACCESS_KEY_ID", keyId);
        env.put("AWS_SECRET_ACCESS_KEY", secret);
        return env;
    }

    private ObjectStore store(String uri) {
        return environment(env(KEY_ID, SECRET)).objectStore(uri);
    }

    private Path context(int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return Files.write(dir.resolve("context.tgz"), bytes);
    }

    @Test
    void uploadsUnderThePrefixAndReturnsTheS3UriKanikoReads() throws Exception {
        Path file = context(256 * 1024);

        URI uri = store("s3://" + bucket + "/launch/contexts/").upload("run-7f3a.tgz", file);

        assertThat(uri).hasToString("s3://" + bucket + "/launch/contexts/run-7f3a.tgz");
        assertThat(admin.getObjectAsBytes(b -> b.bucket(bucket).key("launch/contexts/run-7f3a.tgz")).asByteArray())
                .isEqualTo(Files.readAllBytes(file));
        assertThat(admin.headObject(b -> b.bucket(bucket).key("launch/contexts/run-7f3a.tgz")).contentType())
                .isEqualTo("application/gzip");
    }

    @Test
    void uploadsToTheBucketRootWithoutAPrefix() throws Exception {
        URI uri = store("s3://" + bucket).upload("run-1.tgz", context(10));

        assertThat(uri).hasToString("s3://" + bucket + "/run-1.tgz");
    }

    @Test
    void existsAfterUploadAndNotAfterDelete() throws Exception {
        ObjectStore store = store("s3://" + bucket + "/ctx");
        URI uri = store.upload("run-2.tgz", context(100));

        assertThat(store.exists(uri)).isTrue();
        store.delete(uri);

        assertThat(store.exists(uri)).isFalse();
        assertThat(admin.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
    }

    @Test
    void deletingAMissingObjectIsNotAnError() {
        ObjectStore store = store("s3://" + bucket + "/ctx");

        assertThatCode(() -> store.delete(URI.create("s3://" + bucket + "/ctx/never.tgz")))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesObjectsOfAnotherBucket() {
        ObjectStore store = store("s3://" + bucket + "/ctx");

        assertThatThrownBy(() -> store.exists(URI.create("s3://other-bucket/ctx/a.tgz")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an object of s3://" + bucket);
    }

    @Test
    void uploadToAMissingBucketNamesTheBucket() throws Exception {
        ObjectStore store = store("s3://no-such-bucket-x/ctx");

        assertThatThrownBy(() -> store.upload("run-3.tgz", context(10)))
                .isInstanceOfSatisfying(LaunchException.class, e -> assertThat(e.stage()).isEqualTo(Stage.BUILD))
                .hasMessageContaining("cannot upload context.tgz to s3://no-such-bucket-x/ctx/run-3.tgz")
                .hasMessageContaining("S3 bucket 'no-such-bucket-x' does not exist");
    }

    @Test
    void existsOnAMissingBucketIsAnErrorNotFalse() {
        ObjectStore store = store("s3://no-such-bucket-y/ctx");

        assertThatThrownBy(() -> store.exists(URI.create("s3://no-such-bucket-y/ctx/a.tgz")))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("S3 bucket 'no-such-bucket-y' does not exist");
    }

    @Test
    void uploadOfAMissingFileSaysSo() {
        ObjectStore store = store("s3://" + bucket);

        assertThatThrownBy(() -> store.upload("x.tgz", dir.resolve("absent.tgz")))
                .isInstanceOf(LaunchException.class).hasMessageContaining("the file does not exist");
    }

    @Test
    void verifyPassesAndLeavesNothingBehind() {
        ObjectStore store = store("s3://" + bucket + "/ctx");

        assertThatCode(store::verify).doesNotThrowAnyException();
        assertThat(admin.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
    }

    @Test
    void verifyTellsAMissingBucket() {
        assertThatThrownBy(() -> store("s3://no-such-bucket-z/ctx").verify()).isInstanceOf(ConfigException.class)
                .hasMessage("S3 bucket 'no-such-bucket-z' (s3://no-such-bucket-z/ctx) does not exist: create it, or "
                        + "fix builder.build-context-store");
    }

    @Test
    void verifyTellsABucketTheCredentialsMayNotUse() {
        ObjectStore store = environment(env(KEY_ID, "wrong-secret-000")).objectStore("s3://" + bucket + "/ctx");

        assertThatThrownBy(store::verify).isInstanceOf(ConfigException.class)
                .hasMessageContaining("S3 bucket '" + bucket + "' (s3://" + bucket + "/ctx) is not accessible with "
                        + "the agent's AWS credentials (HTTP 403)")
                .hasMessageNotContaining("wrong-secret-000");
    }

    @Test
    void uploadWithAWrongSecretIsReportedAsRejectedCredentials() throws Exception {
        ObjectStore store = environment(env(KEY_ID, "wrong-secret-001")).objectStore("s3://" + bucket + "/ctx");

        assertThatThrownBy(() -> store.upload("run-4.tgz", context(10))).isInstanceOf(LaunchException.class)
                .hasMessageContaining("the AWS credentials were rejected (SignatureDoesNotMatch (HTTP 403)")
                .hasMessageNotContaining("wrong-secret-001");
    }

    @Test
    void operationsWithoutCredentialsExplainWhereTheyWereLookedFor() throws Exception {
        ObjectStore store = environment(aws.envWithout("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
                .objectStore("s3://" + bucket + "/ctx");

        assertThatThrownBy(() -> store.upload("run-5.tgz", context(10))).isInstanceOf(LaunchException.class)
                .hasMessageContaining("no AWS credentials found");
        assertThatThrownBy(store::verify).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no AWS credentials found");
    }
}
