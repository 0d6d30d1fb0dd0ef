package dev.launchkit.core.registry;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.RegistryProvider;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code generic} registry: any Docker Registry v2 server. The agent falls back to it for a
 * {@code builder.destination} whose host no cloud plugin recognises, as W&amp;B accepts unknown registries with a
 * warning.
 *
 * <p>Config keys (in the {@code registry} block, or with {@code builder.destination} as {@code uri}):
 * <ul>
 *   <li>{@code uri} (required): {@code host[:port]/repository}, no tag; {@code http://} for a registry without TLS;</li>
 *   <li>{@code username}, {@code password} (secret): static credentials, given together or not at all;</li>
 *   <li>{@code insecure}: {@code true} to speak plain HTTP even though the URI has no {@code http://};</li>
 *   <li>{@code credential-helper}: a docker credential helper builders should use when no password is given;</li>
 *   <li>{@code endpoint}: a base URL to send API requests to instead of the host (a mirror or private endpoint).</li>
 * </ul>
 */
public final class GenericRegistryProvider implements RegistryProvider {
    private static final Logger LOG = LoggerFactory.getLogger(GenericRegistryProvider.class);

    @Override
    public String type() {
        return RegistryUri.GENERIC;
    }

    @Override
    public Set<String> secretKeys() {
        return Set.of("password");
    }

    /** Never claims a URI: {@code generic} is the fallback when no other provider {@code handles} it. */
    @Override
    public boolean handles(String repositoryUri) {
        return false;
    }

    @Override
    public Registry create(ConfigNode config, LaunchContext context) {
        RegistryUri uri = RegistryUri.parse(config, "uri");
        uri.warning().ifPresent(w -> LOG.warn("{}: {}", config.child("uri").location(), w));
        Optional<String> username = config.optString("username").filter(s -> !s.isBlank());
        Optional<String> password = config.optString("password").filter(s -> !s.isBlank());
        if (username.isPresent() != password.isPresent()) {
            String missing = username.isPresent() ? "password" : "username";
            throw config.child(missing).error("is required when " + (username.isPresent() ? "username" : "password")
                    + " is set; give both, or neither for anonymous access");
        }
        password.ifPresent(context.masker()::register);
        Optional<RegistryCredentials> credentials = username.map(u ->
                new RegistryCredentials(uri.host(), u, password.orElseThrow(), null));
        boolean plain = uri.plainHttp() || config.bool("insecure", false);
        RegistryClient.Builder client = RegistryClient.builder(uri.host())
                .plainHttp(plain)
                .credentials(() -> credentials)
                .clock(context.clock())
                .masker(context.masker());
        ConfigUrls.optional(config, "endpoint").ifPresent(client::endpoint);
        Optional<String> helper = config.optString("credential-helper").filter(s -> !s.isBlank());
        return new GenericRegistry(uri, credentials, helper, client.build());
    }
}
