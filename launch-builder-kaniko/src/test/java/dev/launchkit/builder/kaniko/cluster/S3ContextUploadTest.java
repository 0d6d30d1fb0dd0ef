package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.ImageRef;
import dev.launchkit.registry.ecr.aws.AwsEnvironmentProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The context goes to {@code <build-context-store>/<run_id>.tgz} through the aws environment's S3 store, against
 * s3proxy (an S3-compatible server checking SigV4) on 127.0.0.1, and is deleted after the build.
 */
class S3ContextUploadTest {
    private static final String KEY_ID = "AKIDKANIKOTEST0001";
    private static final String SECRET = "kaniko-s3-secret-Qw3rty";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;
    private S3ProxyJunitCore s3proxy;
    private S3Client admin;
    private BuildHarness h;
    private Environment aws;

    @BeforeEach
    void start() throws Exception {
        s3proxy = new S3ProxyJunitCore.Builder().withCredentials(KEY_ID, SECRET).withBlobStoreProvider("transient").build();
        s3proxy.beforeEach();
        admin = S3Client.builder().endpointOverride(s3proxy.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET))).build();
        admin.createBucket(b -> b.bucket("launch-contexts"));
        h = new BuildHarness(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        if (aws instanceof AutoCloseable c) {
            c.close();
        }
        admin.close();
        s3proxy.afterEach();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", tmp.toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_ACCESS_KEY_ID", KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET);
        return env;
    }

    @Test
    void uploadsTheContextToTheStoreForKanikoAndDeletesItAfterTheBuild() throws Exception {
        aws = new AwsEnvironmentProvider().create(ConfigNode.of(YAML.readTree("region: us-east-1\nendpoints:\n  s3: "
                + s3proxy.getUri() + "\n"), "launch-config.yaml"), h.context(env(), null, null));
        h.builder("builder: {type: kaniko, build-context-store: 's3://launch-contexts/ctx'}", env(),
                TestRegistry.anonymous("registry.internal:5000/launch"), aws);
        h.duringBuild(job -> {
            var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getArgs()).contains("--context=s3://launch-contexts/ctx/run9.tgz");
            Map<String, String> env = new LinkedHashMap<>();
            container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
            assertThat(env).containsEntry("AWS_REGION", "us-east-1")
                    .containsEntry("S3_ENDPOINT", s3proxy.getUri().toString())
                    .containsEntry("S3_FORCE_PATH_STYLE", "true").doesNotContainValue(SECRET);
            byte[] uploaded = admin.getObjectAsBytes(b -> b.bucket("launch-contexts").key("ctx/run9.tgz")).asByteArray();
            assertThat(entries(uploaded)).containsEntry("src/train.py", "print('s3')\n").containsKey("Dockerfile.wandb");
        });

        ImageRef image = h.build(h.codeJob("run9", Map.of("train.py", "print('s3')\n")));

        assertThat(h.createdJob("run9").getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--destination=" + image);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                admin.getObjectAsBytes(b -> b.bucket("launch-contexts").key("ctx/run9.tgz"))))
                .as("context deleted after the build").isInstanceOf(NoSuchKeyException.class);
        h.awaitJobAndPodsGone("default", "run9");
    }

    private static Map<String, String> entries(byte[] tgz) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    out.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
