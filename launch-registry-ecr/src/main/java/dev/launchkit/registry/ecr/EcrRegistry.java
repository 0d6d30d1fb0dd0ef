package dev.launchkit.registry.ecr;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.DockerConfigs;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.registry.ecr.aws.AwsClients;
import dev.launchkit.registry.ecr.aws.AwsCredentialChain;
import dev.launchkit.registry.ecr.aws.AwsEndpoints;
import dev.launchkit.registry.ecr.aws.AwsErrors;
import dev.launchkit.registry.ecr.aws.AwsIdentity;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * An ECR repository as the agent's registry.
 *
 * <p>Credentials: in {@link EcrAuthMode#TOKEN} mode, ECR {@code GetAuthorizationToken} gives a 12-hour token,
 * base64 of {@code AWS:<password>}; it is decoded into user {@code AWS} and the password, registered with the
 * agent's {@link SecretMasker}, and reused until {@link #REFRESH_MARGIN} before it expires (by the context clock).
 * In {@link EcrAuthMode#CREDENTIAL_HELPER} mode no secret is handed out and builders use {@code ecr-login}.
 *
 * <p>Thread-safe. SDK clients are created on first use and closed by {@link #close()}.
 */
public final class EcrRegistry implements Registry, AutoCloseable {
    /**
     * How long before expiry a cached token is replaced. A token handed to a Kaniko build must outlive the build
     * (30 min deadline by default) and its wait in the queue, so an hour of the 12 is kept in reserve.
     */
    public static final Duration REFRESH_MARGIN = Duration.ofHours(1);
    /** The docker credential helper for the secretless mode, shipped in the Kaniko executor image. */
    public static final String CREDENTIAL_HELPER = "ecr-login";
    private static final String PUSH_ACTIONS = "ecr:GetAuthorizationToken, ecr:DescribeRepositories, "
            + "ecr:DescribeImages, ecr:BatchGetImage, ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, "
            + "ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage";

    private final EcrRepository repository;
    private final EcrAuthMode mode;
    private final AwsCredentialChain credentials;
    private final boolean ownsCredentials;
    private final AwsEndpoints endpoints;
    private final SdkHttpClient http;
    private final ConfigNode config;
    private final SecretMasker masker;
    private final EcrTokenCache tokens;
    private EcrClient ecr;
    private StsClient sts;

    EcrRegistry(EcrRepository repository, EcrAuthMode mode, AwsCredentialChain credentials, boolean ownsCredentials,
                AwsEndpoints endpoints, SdkHttpClient http, ConfigNode config, SecretMasker masker, Clock clock) {
        this.repository = repository;
        this.mode = mode;
        this.credentials = credentials;
        this.ownsCredentials = ownsCredentials;
        this.endpoints = endpoints;
        this.http = http;
        this.config = config;
        this.masker = masker;
        this.tokens = new EcrTokenCache(this::fetchToken, clock, REFRESH_MARGIN);
    }

    @Override
    public String type() {
        return EcrRegistryProvider.TYPE;
    }

    @Override
    public String repositoryUri() {
        return repository.uri();
    }

    @Override
    public String host() {
        return repository.host();
    }

    /** The account, region and repository name. */
    public EcrRepository repository() {
        return repository;
    }

    /** Whether credentials are handed out as a token or left to the builders' credential helper. */
    public EcrAuthMode authMode() {
        return mode;
    }

    /**
     * User {@code AWS} and the current ECR password for this registry's host, or empty in the secretless mode.
     *
     * @throws LaunchException (stage build) when no credentials are found or ECR refuses the token request
     */
    @Override
    public Optional<RegistryCredentials> credentials() {
        return mode == EcrAuthMode.TOKEN ? Optional.of(tokens.get()) : Optional.empty();
    }

    /** {@code ecr-login} in the secretless mode, else empty. */
    @Override
    public Optional<String> credentialHelper() {
        return mode == EcrAuthMode.CREDENTIAL_HELPER ? Optional.of(CREDENTIAL_HELPER) : Optional.empty();
    }

    /**
     * The docker {@code config.json} for Kaniko: {@code auths} with the token in token mode, {@code credHelpers}
     * with {@code ecr-login} for this host in the secretless mode.
     */
    public String dockerConfigJson() {
        return DockerConfigs.of(credentials().map(List::of).orElse(List.of()),
                credentialHelper().map(h -> Map.of(repository.host(), h)).orElse(Map.of()));
    }

    /**
     * Whether {@code repository:tag} exists (ECR {@code DescribeImages}; {@code ImageNotFoundException} is false).
     *
     * @throws LaunchException (stage build) when the repository does not exist, access is denied or ECR cannot be
     *                         reached
     */
    @Override
    public boolean imageExists(String tag) {
        if (tag == null || !tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("'" + tag + "' is not an image tag");
        }
        requireCredentials(m -> new LaunchException(Stage.BUILD, m));
        try {
            return !ecr().describeImages(b -> b.registryId(repository.account()).repositoryName(repository.name())
                    .imageIds(ImageIdentifier.builder().imageTag(tag).build())).imageDetails().isEmpty();
        } catch (ImageNotFoundException e) {
            return false;
        } catch (SdkException e) {
            throw new LaunchException(Stage.BUILD, "cannot check whether " + repository.uri() + ":" + tag
                    + " exists: " + explain(e, "ecr:DescribeImages"), e);
        }
    }

    /**
     * Checks at startup that credentials are found and accepted (STS {@code GetCallerIdentity}), that the
     * repository exists and may be read ({@code DescribeRepositories}), and in token mode that a token may be
     * fetched ({@code GetAuthorizationToken}). Push permissions are not probed (that would need a push).
     *
     * @throws ConfigException naming the registry and what is missing: credentials, the repository, a permission
     */
    @Override
    public void verify() {
        String what = "registry ecr " + repository.uri() + " (" + config.location() + ")";
        AwsIdentity identity = AwsIdentity.of(sts(), credentials, masker, what, ConfigException::new);
        try {
            ecr().describeRepositories(b -> b.registryId(repository.account()).repositoryNames(repository.name()));
        } catch (SdkException e) {
            if (AwsErrors.accessDenied(e)) {
                throw new ConfigException(what + ": " + identity.arn() + " may not ecr:DescribeRepositories on "
                        + repository.arn() + " (" + AwsErrors.describe(e, masker) + "); grant "
                        + PUSH_ACTIONS + " on it", e);
            }
            throw new ConfigException(what + ": " + explain(e, "ecr:DescribeRepositories"), e);
        }
        if (mode == EcrAuthMode.TOKEN) {
            try {
                tokens.get();
            } catch (LaunchException e) {
                throw new ConfigException(what + ": " + identity.arn() + ": " + e.getMessage(), e);
            }
        }
    }

    private RegistryCredentials fetchToken() {
        requireCredentials(m -> new LaunchException(Stage.BUILD, m));
        AuthorizationData data;
        try {
            List<AuthorizationData> all = ecr().getAuthorizationToken(b -> { }).authorizationData();
            if (all.isEmpty()) {
                throw new LaunchException(Stage.BUILD, "ECR returned no authorization data for " + repository.host());
            }
            data = all.get(0);
        } catch (SdkException e) {
            throw new LaunchException(Stage.BUILD, "cannot get an ECR login token for " + repository.host() + ": "
                    + explain(e, "ecr:GetAuthorizationToken"), e);
        }
        String token = data.authorizationToken() == null ? "" : data.authorizationToken();
        masker.register(token);
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(Stage.BUILD, "ECR returned an authorization token for " + repository.host()
                    + " that is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon == decoded.length() - 1) {
            throw new LaunchException(Stage.BUILD, "ECR returned an authorization token for " + repository.host()
                    + " that is not 'user:password'");
        }
        String password = decoded.substring(colon + 1);
        masker.register(password);
        Instant expiresAt = data.expiresAt() == null ? Instant.MAX : data.expiresAt();
        return new RegistryCredentials(repository.host(), decoded.substring(0, colon), password, expiresAt);
    }

    private void requireCredentials(Function<String, RuntimeException> error) {
        credentials.resolve(m -> error.apply("registry ecr " + repository.uri() + ": " + m));
    }

    /** What went wrong with an ECR call and what to do, naming the repository; no secrets. */
    private String explain(SdkException e, String permission) {
        String detail = AwsErrors.describe(e, masker);
        if (e instanceof RepositoryNotFoundException) {
            return "repository '" + repository.name() + "' does not exist in account " + repository.account()
                    + " region " + repository.region() + "; create it (aws ecr create-repository --repository-name "
                    + repository.name() + " --region " + repository.region() + ") or fix the registry URI";
        }
        if (AwsErrors.credentialsMissing(e)) {
            return detail;
        }
        if (AwsErrors.credentialsRejected(e)) {
            return "the AWS credentials" + credentials.source().map(s -> " from " + s).orElse("")
                    + " were rejected (" + detail + "); refresh or replace them";
        }
        if (AwsErrors.accessDenied(e)) {
            return "access denied (" + detail + "); grant " + permission + " on " + repository.arn()
                    + " to the agent's AWS identity";
        }
        if (AwsErrors.unreachable(e)) {
            return "cannot reach ECR at " + endpoints.forService("ecr").map(Object::toString)
                    .orElse("the ECR API in " + repository.region()) + " (" + detail + ")";
        }
        return detail;
    }

    private synchronized EcrClient ecr() {
        if (ecr == null) {
            ecr = AwsClients.configure(EcrClient.builder(), Region.of(repository.region()), credentials,
                    endpoints.forService("ecr"), http).build();
        }
        return ecr;
    }

    private synchronized StsClient sts() {
        if (sts == null) {
            sts = AwsClients.configure(StsClient.builder(), Region.of(repository.region()), credentials,
                    endpoints.forService("sts"), http).build();
        }
        return sts;
    }

    @Override
    public synchronized void close() {
        if (ecr != null) {
            ecr.close();
        }
        if (sts != null) {
            sts.close();
        }
        if (ownsCredentials) {
            credentials.close();
        }
        http.close();
    }

    @Override
    public String toString() {
        return "EcrRegistry[" + repository.uri() + ", auth=" + mode.word() + "]";
    }
}
