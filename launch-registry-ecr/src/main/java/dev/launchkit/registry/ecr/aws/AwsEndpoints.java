package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Endpoint overrides per AWS service ({@code s3}, {@code ecr}, {@code sts}), for S3-compatible stores (MinIO, Ceph),
 * VPC endpoints and local test servers.
 *
 * <p>Read from the block's {@code endpoints} mapping, e.g.
 * <pre>{@code
 * environment:
 *   type: aws
 *   region: us-east-1
 *   endpoints:
 *     s3: http://minio.storage:9000
 * }</pre>
 * and otherwise from the standard AWS SDK variables {@code AWS_ENDPOINT_URL_<SERVICE>} and {@code AWS_ENDPOINT_URL}
 * in the agent's environment. Without either, the SDK's regional endpoint is used.
 *
 * @param byService service id (lower case) → endpoint
 */
public record AwsEndpoints(Map<String, URI> byService) {
    /** The services this module talks to. */
    public static final java.util.List<String> SERVICES = java.util.List.of("s3", "ecr", "sts");

    public AwsEndpoints {
        byService = Map.copyOf(byService);
    }

    /** No overrides: the SDK's own regional endpoints. */
    public static AwsEndpoints none() {
        return new AwsEndpoints(Map.of());
    }

    /** Overrides from {@code block.endpoints}, completed by the AWS SDK environment variables. */
    public static AwsEndpoints from(ConfigNode block, LaunchContext context) {
        return fromBlock(block).orElse(fromEnv(context));
    }

    /**
     * Overrides from {@code block.endpoints} only.
     *
     * @throws ConfigException naming the key when a value is not an http(s) URL or names an unknown service
     */
    public static AwsEndpoints fromBlock(ConfigNode block) {
        Map<String, URI> out = new TreeMap<>();
        ConfigNode endpoints = block.child("endpoints");
        if (!endpoints.isMissing()) {
            endpoints.object(); // a clear error when it is not a mapping
            for (String key : endpoints.keys()) {
                String service = key.toLowerCase(Locale.ROOT);
                if (!SERVICES.contains(service)) {
                    throw endpoints.child(key).error("unknown service; endpoints can be set for "
                            + String.join(", ", SERVICES));
                }
                ConfigNode where = endpoints.child(key);
                out.put(service, parse(endpoints.requireString(key), where::error));
            }
        }
        return new AwsEndpoints(out);
    }

    /**
     * Overrides from the AWS SDK variables {@code AWS_ENDPOINT_URL_<SERVICE>} and {@code AWS_ENDPOINT_URL}.
     *
     * @throws ConfigException naming the variable when a value is not an http(s) URL
     */
    public static AwsEndpoints fromEnv(LaunchContext context) {
        Map<String, URI> out = new TreeMap<>();
        Optional<String> all = context.env("AWS_ENDPOINT_URL");
        for (String service : SERVICES) {
            String variable = "AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT);
            Optional<String> value = context.env(variable).or(() -> all);
            if (value.isPresent()) {
                String source = context.env(variable).isPresent() ? variable : "AWS_ENDPOINT_URL";
                out.put(service, parse(value.get(),
                        m -> new ConfigException("environment variable " + source + ": " + m)));
            }
        }
        return new AwsEndpoints(out);
    }

    /** The override for a service, if any. */
    public Optional<URI> forService(String service) {
        return Optional.ofNullable(byService.get(service));
    }

    /** Overrides of {@code this}, completed by those of {@code fallback} for services this one leaves out. */
    public AwsEndpoints orElse(AwsEndpoints fallback) {
        Map<String, URI> merged = new TreeMap<>(fallback.byService);
        merged.putAll(byService);
        return new AwsEndpoints(merged);
    }

    private static URI parse(String value, Function<String, ConfigException> error) {
        try {
            URI uri = new URI(value.strip());
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new URISyntaxException(value, "expected http:// or https:// and a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw error.apply("'" + value + "' is not an endpoint URL (" + e.getReason()
                    + "), e.g. http://minio.storage:9000");
        }
    }
}
