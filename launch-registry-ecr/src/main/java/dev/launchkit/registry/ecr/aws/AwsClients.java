package dev.launchkit.registry.ecr.aws;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * How this module builds AWS SDK clients: always the JDK {@code URLConnection} HTTP client (the module ships neither
 * Netty nor Apache HTTP), an explicit region, the given credentials and an optional endpoint override.
 */
public final class AwsClients {
    private AwsClients() {
    }

    /** A new HTTP client; the caller closes it. */
    public static SdkHttpClient newHttpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                // Build contexts can be large; a read timeout bounds a stalled upload, not a slow one.
                .socketTimeout(Duration.ofSeconds(120))
                .build();
    }

    /**
     * Configures a client builder.
     *
     * @param endpoint the override for this service (from {@link AwsEndpoints#forService}), if any
     */
    public static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
            B builder, Region region, AwsCredentialsProvider credentials, java.util.Optional<java.net.URI> endpoint,
            SdkHttpClient http) {
        builder.region(region).credentialsProvider(credentials).httpClient(http);
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }
}
