package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.SecretMasker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The {@code aws} environment: a region, the AWS credential chain and S3 object stores for build contexts.
 *
 * <pre>{@code
 * environment:
 *   type: aws
 *   region: us-east-1          # or AWS_REGION / AWS_DEFAULT_REGION
 * builder:
 *   build-context-store: s3://my-bucket/launch-contexts
 * }</pre>
 *
 * <p>Thread-safe. SDK clients are created on first use and closed by {@link #close()}.
 */
public final class AwsEnvironment implements Environment, AutoCloseable {
    private final Region region;
    private final AwsCredentialChain credentials;
    private final AwsEndpoints endpoints;
    private final boolean s3PathStyle;
    private final SdkHttpClient http;
    private final ConfigNode config;
    private final SecretMasker masker;
    private S3Client s3;
    private StsClient sts;

    AwsEnvironment(Region region, AwsCredentialChain credentials, AwsEndpoints endpoints, boolean s3PathStyle,
                   SdkHttpClient http, ConfigNode config, SecretMasker masker) {
        this.region = region;
        this.credentials = credentials;
        this.endpoints = endpoints;
        this.s3PathStyle = s3PathStyle;
        this.http = http;
        this.config = config;
        this.masker = masker;
    }

    @Override
    public String type() {
        return AwsEnvironmentProvider.TYPE;
    }

    @Override
    public Optional<String> region() {
        return Optional.of(region.id());
    }

    /** The credential chain, shared with an {@code ecr} registry built in the same agent. */
    public AwsCredentialChain credentials() {
        return credentials;
    }

    /** The endpoint overrides of this environment. */
    public AwsEndpoints endpoints() {
        return endpoints;
    }

    /**
     * The S3 store at {@code s3://bucket/prefix}.
     *
     * @throws ConfigException when the URI is not an S3 URI
     */
    @Override
    public ObjectStore objectStore(String uri) {
        S3Location location;
        try {
            location = S3Location.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("build context store: " + e.getMessage() + "; the aws environment ("
                    + config.location() + ") serves s3:// stores only — for gs:// or Azure blob URLs configure the "
                    + "gcp or azure environment");
        }
        return new S3ObjectStore(location, s3(), masker, endpoints.forService("s3").map(Object::toString)
                .orElse("AWS S3 in " + region.id()));
    }

    /**
     * {@code AWS_REGION} for Kaniko's S3 context reader, plus {@code S3_ENDPOINT} and {@code S3_FORCE_PATH_STYLE}
     * when S3 is reached through an endpoint override (MinIO and other S3-compatible stores). Never secrets: the
     * builder pod gets its own identity (IRSA) or a mounted credentials file.
     */
    @Override
    public Map<String, String> builderEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", region.id());
        endpoints.forService("s3").ifPresent(uri -> {
            env.put("S3_ENDPOINT", uri.toString());
            env.put("S3_FORCE_PATH_STYLE", Boolean.toString(s3PathStyle));
        });
        return Map.copyOf(env);
    }

    /**
     * Checks that credentials are found and accepted (STS {@code GetCallerIdentity}).
     *
     * @throws ConfigException naming the environment block and what is missing
     */
    @Override
    public void verify() {
        identity();
    }

    /** The caller identity (STS {@code GetCallerIdentity}); see {@link #verify()} for the errors. */
    public AwsIdentity identity() {
        return AwsIdentity.of(sts(), credentials, masker, "environment aws (" + config.location() + ")",
                ConfigException::new);
    }

    synchronized S3Client s3() {
        if (s3 == null) {
            s3 = AwsClients.configure(S3Client.builder(), region, credentials, endpoints.forService("s3"), http)
                    .forcePathStyle(s3PathStyle)
                    // Follow buckets in other regions on AWS itself; an override names one server.
                    .crossRegionAccessEnabled(endpoints.forService("s3").isEmpty())
                    .build();
        }
        return s3;
    }

    synchronized StsClient sts() {
        if (sts == null) {
            sts = AwsClients.configure(StsClient.builder(), region, credentials, endpoints.forService("sts"), http)
                    .build();
        }
        return sts;
    }

    @Override
    public synchronized void close() {
        if (s3 != null) {
            s3.close();
        }
        if (sts != null) {
            sts.close();
        }
        credentials.close();
        http.close();
    }

    @Override
    public String toString() {
        return "AwsEnvironment[region=" + region.id() + "]";
    }
}
