package dev.launchkit.core.registry;

import dev.launchkit.core.ConfigNode;
import java.net.URI;
import java.util.Optional;

/** Reads http(s) URLs from config blocks (endpoint overrides of registries and object stores). */
public final class ConfigUrls {
    private ConfigUrls() {
    }

    /**
     * The http(s) URL at {@code block.key}, without a trailing slash; empty when the key is absent or blank.
     *
     * @throws dev.launchkit.core.ConfigException naming the key when the value is not an http(s) URL
     */
    public static Optional<URI> optional(ConfigNode block, String key) {
        Optional<String> value = block.optString(key).map(String::trim).filter(s -> !s.isEmpty());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw block.child(key).error("'" + value.get() + "' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw block.child(key).error("'" + value.get() + "' is not an http(s) URL; expected e.g. "
                    + "https://host[:port]");
        }
        return Optional.of(uri);
    }
}
