package dev.launchkit.core.registry;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated image repository URI ({@code registry.uri}, {@code builder.destination}) and the registry type its host
 * implies, following the W&amp;B agent's {@code validate_registry_uri} rules:
 *
 * <ul>
 *   <li>{@code https://} is dropped; {@code http://} is dropped too and marks a registry spoken to over plain HTTP;</li>
 *   <li>a tag or digest is refused, because the agent tags each image with a hash of its source;</li>
 *   <li>{@code <account>.dkr.ecr.<region>.amazonaws.com/<repo>} is {@code ecr};
 *       {@code <region>-docker.pkg.dev/<project>/<repository>/<image>} and {@code [*.]gcr.io/<project>/<image>} are
 *       {@code gcr}; {@code <name>.azurecr.io/<repo>} is {@code acr}; anything else is {@code generic}, accepted with
 *       a warning (see {@link #warning()}).</li>
 * </ul>
 *
 * <p>Unlike W&amp;B, ACR repositories may be nested ({@code team/app}); ACR supports that and refusing it was an
 * artefact of the Python regular expression.
 *
 * <pre>{@code
 * RegistryUri uri = RegistryUri.parse(config, "uri");
 * uri.type();        // "gcr"
 * uri.host();        // "us-central1-docker.pkg.dev"
 * uri.repository();  // "my-project/launch/job"
 * }</pre>
 *
 * @param type       {@value #ECR}, {@value #GCR}, {@value #ACR} or {@value #GENERIC}
 * @param host       the registry host, with its port when it has one
 * @param repository the repository path below the host, without tag
 * @param plainHttp  whether the URI was written with {@code http://} (the registry is spoken to without TLS)
 */
public record RegistryUri(String type, String host, String repository, boolean plainHttp) {
    /** Amazon Elastic Container Registry. */
    public static final String ECR = "ecr";
    /** Google Artifact Registry and Container Registry (W&amp;B's type name for both). */
    public static final String GCR = "gcr";
    /** Azure Container Registry. */
    public static final String ACR = "acr";
    /** Any other Docker Registry v2 server. */
    public static final String GENERIC = "generic";

    private static final Pattern ECR_HOST =
            Pattern.compile("(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");
    private static final Pattern GAR_HOST = Pattern.compile("([a-z0-9-]+)-docker\\.pkg\\.dev");
    private static final Pattern GCR_HOST = Pattern.compile("(?:[a-z]+\\.)?gcr\\.io");
    private static final Pattern ACR_HOST = Pattern.compile("([a-zA-Z0-9]+)\\.azurecr\\.io");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final String NO_TAG_REASON = "the agent tags each image with a hash of its source";

    public RegistryUri {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(repository, "repository");
    }

    /** {@code host/repository}, the form Kaniko's {@code --destination} and image references use. */
    public String repositoryUri() {
        return host + "/" + repository;
    }

    /**
     * The registry type a URI's host implies, without validating the rest: {@code .dkr.ecr.} → {@value #ECR},
     * {@code -docker.pkg.dev} or {@code gcr.io} → {@value #GCR}, {@code .azurecr.io} → {@value #ACR}, else
     * {@value #GENERIC}.
     */
    public static String inferType(String uri) {
        String host = hostOf(stripScheme(uri == null ? "" : uri.trim())).toLowerCase(Locale.ROOT);
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        if (host.contains(".dkr.ecr.")) {
            return ECR;
        }
        if (host.endsWith("-docker.pkg.dev") || host.equals("gcr.io") || host.endsWith(".gcr.io")) {
            return GCR;
        }
        if (host.endsWith(".azurecr.io")) {
            return ACR;
        }
        return GENERIC;
    }

    /**
     * Parses and validates a repository URI.
     *
     * @throws IllegalArgumentException with the reason, e.g. that a tag is not allowed and why
     */
    public static RegistryUri parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("is empty; expected a repository such as <host>/<repository>");
        }
        String text = uri.trim();
        boolean plainHttp = text.regionMatches(true, 0, "http://", 0, 7);
        String rest = stripScheme(text);
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.contains("://")) {
            throw new IllegalArgumentException("'" + uri + "' has an unsupported scheme; write <host>/<repository>, "
                    + "optionally with https://");
        }
        if (rest.contains("@")) {
            throw new IllegalArgumentException("'" + uri + "' has a digest; give the repository without tag or digest ("
                    + NO_TAG_REASON + ")");
        }
        String host = hostOf(rest);
        if (host.isEmpty() || host.length() == rest.length()) {
            throw new IllegalArgumentException("'" + uri + "' names no repository; expected <host>/<repository>");
        }
        String path = rest.substring(host.length() + 1);
        int lastSlash = path.lastIndexOf('/');
        int tagColon = path.indexOf(':', lastSlash + 1);
        if (tagColon >= 0) {
            throw new IllegalArgumentException("'" + uri + "' has a tag (':" + path.substring(tagColon + 1)
                    + "'); remove it and give the repository only (" + NO_TAG_REASON + ")");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("'" + uri + "' has an invalid repository '" + path
                        + "': use lower-case letters, digits and . _ - separated by /");
            }
        }
        String type = inferType(rest);
        int segments = path.split("/").length;
        String bareHost = host.toLowerCase(Locale.ROOT);
        switch (type) {
            case ECR -> {
                if (!ECR_HOST.matcher(bareHost).matches()) {
                    throw new IllegalArgumentException("'" + uri + "' is not an ECR repository; expected "
                            + "<12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>");
                }
            }
            case GCR -> {
                if (GAR_HOST.matcher(bareHost).matches() && segments < 3) {
                    throw new IllegalArgumentException("'" + uri + "' needs a project, a repository and an image name; "
                            + "expected <region>-docker.pkg.dev/<project>/<repository>/<image>");
                }
                if (GCR_HOST.matcher(bareHost).matches() && segments < 2) {
                    throw new IllegalArgumentException("'" + uri + "' needs a project and an image name; "
                            + "expected gcr.io/<project>/<image>");
                }
                if (!GAR_HOST.matcher(bareHost).matches() && !GCR_HOST.matcher(bareHost).matches()) {
                    throw new IllegalArgumentException("'" + uri + "' is not an Artifact Registry or gcr.io repository;"
                            + " expected <region>-docker.pkg.dev/<project>/<repository>/<image>");
                }
            }
            case ACR -> {
                if (!ACR_HOST.matcher(bareHost).matches()) {
                    throw new IllegalArgumentException("'" + uri + "' is not an ACR repository; expected "
                            + "<name>.azurecr.io/<repository>");
                }
            }
            default -> {
                // any other registry: accepted, see warning()
            }
        }
        return new RegistryUri(type, host, path, plainHttp);
    }

    /**
     * Parses the URI held by {@code block.key}.
     *
     * @throws ConfigException naming the file, line and key, with the reason
     */
    public static RegistryUri parse(ConfigNode block, String key) {
        String value = block.requireString(key);
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw block.child(key).error(e.getMessage());
        }
    }

    /**
     * Like {@link #parse(ConfigNode, String)}, and also requires the host to be of {@code expectedType}.
     *
     * @param what how the expected registry is named in the error, e.g. {@code an Artifact Registry}
     */
    public static RegistryUri parse(ConfigNode block, String key, String expectedType, String what) {
        RegistryUri uri = parse(block, key);
        if (!uri.type().equals(expectedType)) {
            throw block.child(key).error("'" + uri.repositoryUri() + "' is not " + what + " repository (its host "
                    + "looks like " + (uri.type().equals(GENERIC) ? "a generic registry" : "type '" + uri.type() + "'")
                    + "); fix the URI or set the registry type to match it");
        }
        return uri;
    }

    /** The W&amp;B warning for registries whose type could not be recognised; empty for known clouds. */
    public Optional<String> warning() {
        if (!type.equals(GENERIC)) {
            return Optional.empty();
        }
        return Optional.of("Unable to recognize registry type of '" + repositoryUri() + "' (not ECR, Artifact "
                + "Registry or ACR); treating it as a generic Docker Registry v2 server. You are responsible for "
                + "giving the builder and the cluster credentials to push to and pull from it.");
    }

    /** For ECR hosts: the 12-digit account id. */
    public Optional<String> ecrAccount() {
        return group(ECR_HOST, 1);
    }

    /** For ECR hosts: the region; for Artifact Registry hosts: the location (e.g. {@code us-central1}). */
    public Optional<String> region() {
        return group(ECR_HOST, 2).or(() -> group(GAR_HOST, 1));
    }

    /** For ACR hosts: the registry name (the part before {@code .azurecr.io}). */
    public Optional<String> acrName() {
        return group(ACR_HOST, 1);
    }

    private Optional<String> group(Pattern pattern, int group) {
        Matcher m = pattern.matcher(host.toLowerCase(Locale.ROOT));
        return m.matches() ? Optional.of(m.group(group)) : Optional.empty();
    }

    private static String stripScheme(String uri) {
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            return uri.substring(8);
        }
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return uri.substring(7);
        }
        return uri;
    }

    private static String hostOf(String withoutScheme) {
        int slash = withoutScheme.indexOf('/');
        return slash < 0 ? withoutScheme : withoutScheme.substring(0, slash);
    }

    @Override
    public String toString() {
        return (plainHttp ? "http://" : "") + repositoryUri();
    }
}
