package dev.launchkit.registry.gcr.gcp;

import dev.launchkit.core.ConfigException;
import java.net.URI;

/**
 * A {@code gs://bucket/prefix} location.
 *
 * @param bucket the bucket name
 * @param prefix the object-name prefix, without leading slash; ends with {@code /} unless empty
 */
record GcsLocation(String bucket, String prefix) {

    static GcsLocation parse(String uri) {
        if (uri == null || !uri.startsWith("gs://")) {
            throw new ConfigException("the gcp environment stores build contexts in Cloud Storage; '" + uri
                    + "' is not a gs://bucket/prefix URI");
        }
        String rest = uri.substring(5);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!bucket.matches("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")) {
            throw new ConfigException("'" + uri + "' has an invalid bucket name '" + bucket + "'");
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        return new GcsLocation(bucket, prefix);
    }

    URI base() {
        return URI.create("gs://" + bucket + "/" + prefix);
    }

    URI object(String name) {
        return URI.create("gs://" + bucket + "/" + name);
    }

    /** The object name of a {@code gs://} URI of this bucket. */
    String objectName(URI object) {
        if (!"gs".equals(object.getScheme()) || !bucket.equals(object.getHost())) {
            throw new IllegalArgumentException("'" + object + "' is not an object of gs://" + bucket);
        }
        String path = object.getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
