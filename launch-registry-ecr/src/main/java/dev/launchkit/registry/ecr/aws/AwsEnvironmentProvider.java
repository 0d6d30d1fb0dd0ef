package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Environment;
import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.LaunchContext;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Creates the {@code aws} environment.
 *
 * <p>Config keys of the {@code environment} block:
 * <ul>
 *   <li>{@code region} — required; falls back to {@code AWS_REGION}, then {@code AWS_DEFAULT_REGION}</li>
 *   <li>{@code endpoints} — {@code {s3, sts, ecr}} endpoint overrides (else {@code AWS_ENDPOINT_URL_<SERVICE>},
 *       {@code AWS_ENDPOINT_URL})</li>
 *   <li>{@code s3_force_path_style} — path-style S3 addressing; default true when {@code endpoints.s3} is set</li>
 *   <li>{@code profile} — the shared-config profile (else {@code AWS_PROFILE}, else {@code default})</li>
 *   <li>{@code access_key_id}, {@code secret_access_key}, {@code session_token} — static keys, a fallback for
 *       clusters without workload identity; the last two are secret and masked</li>
 * </ul>
 * Credentials otherwise come from the default chain (see {@link AwsCredentialChain}).
 */
public final class AwsEnvironmentProvider implements EnvironmentProvider {
    /** The type word. */
    public static final String TYPE = "aws";
    private static final String REGION = "[a-z]{2}(-[a-z]+)+-\\d+";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> secretKeys() {
        return AwsCredentialChain.SECRET_KEYS;
    }

    @Override
    public Environment create(ConfigNode config, LaunchContext context) {
        Region region = region(config, context);
        AwsEndpoints endpoints = AwsEndpoints.from(config, context);
        boolean pathStyle = config.optBoolean("s3_force_path_style").orElse(endpoints.forService("s3").isPresent());
        SdkHttpClient http = AwsClients.newHttpClient();
        try {
            AwsCredentialChain credentials = AwsCredentialChain.from(config, context, region, endpoints, http);
            return new AwsEnvironment(region, credentials, endpoints, pathStyle, http, config, context.masker());
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    /**
     * The region: {@code region} in the block, else {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}.
     *
     * @throws dev.launchkit.core.ConfigException when none is set or the value is not a region id
     */
    static Region region(ConfigNode config, LaunchContext context) {
        Optional<String> fromConfig = config.optString("region").map(String::strip).filter(s -> !s.isEmpty());
        String id = fromConfig.or(() -> context.env("AWS_REGION")).or(() -> context.env("AWS_DEFAULT_REGION"))
                .orElseThrow(() -> config.child("region").error("is required for environment type aws: set "
                        + "environment.region (e.g. us-east-1), or AWS_REGION in the agent's environment"));
        if (!id.matches(REGION)) {
            String source = fromConfig.isPresent() ? "" : " (from AWS_REGION/AWS_DEFAULT_REGION)";
            throw config.child("region").error("'" + id + "'" + source + " is not an AWS region id like us-east-1");
        }
        return Region.of(id);
    }
}
