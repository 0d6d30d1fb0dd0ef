package dev.launchkit.registry.ecr.aws;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A bucket and key prefix, parsed from {@code s3://bucket/prefix}.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix without leading or trailing {@code /}; empty for the bucket root
 */
public record S3Location(String bucket, String prefix) {
    private static final String BUCKET = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";

    public S3Location {
        if (bucket == null || !bucket.matches(BUCKET)) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3-63 lower-case letters, "
                    + "digits, '.' and '-')");
        }
        prefix = strip(prefix == null ? "" : prefix);
    }

    /**
     * Parses {@code s3://bucket[/prefix]}.
     *
     * @throws IllegalArgumentException naming the URI and the expected form
     */
    public static S3Location parse(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a URI: expected s3://bucket/prefix");
        }
        if (!"s3".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("'" + uri + "' is not an S3 URI: expected s3://bucket/prefix");
        }
        return new S3Location(parsed.getHost(), parsed.getPath() == null ? "" : parsed.getPath());
    }

    /** The object key for a name relative to the prefix. */
    public String key(String relative) {
        String rel = strip(relative);
        return prefix.isEmpty() ? rel : prefix + "/" + rel;
    }

    /** {@code s3://bucket/key}. */
    public URI uri(String key) {
        try {
            return new URI("s3", bucket, "/" + key, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + key + "' cannot be part of an S3 URI", e);
        }
    }

    /** {@code s3://bucket/prefix}. */
    public URI baseUri() {
        return prefix.isEmpty() ? URI.create("s3://" + bucket) : uri(prefix);
    }

    /**
     * The key of an object URI of this bucket.
     *
     * @throws IllegalArgumentException when the URI is not in this bucket
     */
    public String keyOf(URI object) {
        if (!"s3".equals(object.getScheme()) || !bucket.equals(object.getHost()) || object.getPath() == null
                || strip(object.getPath()).isEmpty()) {
            throw new IllegalArgumentException("'" + object + "' is not an object of s3://" + bucket);
        }
        return strip(object.getPath());
    }

    private static String strip(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    @Override
    public String toString() {
        return baseUri().toString();
    }
}
