package dev.launchkit.registry.acr.azure;

import dev.launchkit.core.ConfigException;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code https://<account>.blob.core.windows.net/<container>[/<prefix>]} location (also the China and US
 * Government clouds' suffixes, which Kaniko accepts too).
 *
 * @param account   the storage account
 * @param suffix    the blob endpoint suffix, e.g. {@code blob.core.windows.net}
 * @param container the container
 * @param prefix    the blob-name prefix, without leading slash; ends with {@code /} unless empty
 */
record BlobLocation(String account, String suffix, String container, String prefix) {
    private static final Pattern URI_PATTERN = Pattern.compile(
            "https://([a-z0-9]{3,24})\\.(blob\\.core\\.(?:windows\\.net|chinacloudapi\\.cn|usgovcloudapi\\.net))"
                    + "/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?)(?:/(.*))?");

    static BlobLocation parse(String uri) {
        Matcher m = URI_PATTERN.matcher(uri == null ? "" : uri.trim());
        if (!m.matches()) {
            throw new ConfigException("the azure environment stores build contexts in Blob Storage; '" + uri
                    + "' is not https://<account>.blob.core.windows.net/<container>/<prefix>");
        }
        String prefix = m.group(4) == null ? "" : m.group(4);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        return new BlobLocation(m.group(1), m.group(2), m.group(3), prefix);
    }

    /** {@code https://<account>.<suffix>}, the account's blob endpoint. */
    URI accountEndpoint() {
        return URI.create("https://" + account + "." + suffix);
    }

    URI base() {
        return URI.create(accountEndpoint() + "/" + container + "/" + prefix);
    }

    URI blob(String name) {
        return URI.create(accountEndpoint() + "/" + container + "/" + name);
    }

    /** The blob name of an object URI of this container. */
    String blobName(URI object) {
        String start = accountEndpoint() + "/" + container + "/";
        String text = object.toString();
        if (!text.startsWith(start)) {
            throw new IllegalArgumentException("'" + object + "' is not a blob of " + start);
        }
        return text.substring(start.length());
    }
}
