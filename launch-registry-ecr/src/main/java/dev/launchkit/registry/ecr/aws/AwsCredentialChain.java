package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.SecretMasker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * The AWS default credential chain, evaluated over the agent's {@link LaunchContext#env()} rather than the process
 * environment, so that tests and embedders control it: static keys from the config block, then
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}[/{@code AWS_SESSION_TOKEN}], then web identity (IRSA:
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE} + {@code AWS_ROLE_ARN}), then the shared profile files, then container
 * credentials (EKS Pod Identity), then the EC2 instance profile (unless {@code AWS_EC2_METADATA_DISABLED=true}).
 *
 * <p>Credentials are resolved on every use, so rotating ones (web identity, instance roles) are refreshed by their
 * providers instead of being captured once. Every secret value the chain sees is registered with the agent's
 * {@link SecretMasker}. Thread-safe.
 */
public final class AwsCredentialChain implements AwsCredentialsProvider, AutoCloseable {
    /** Config keys whose values are secret. */
    public static final java.util.Set<String> SECRET_KEYS = java.util.Set.of("secret_access_key", "session_token");

    private final List<Source> sources;
    private final SecretMasker masker;
    private final boolean ambientIdentity;
    private final List<AutoCloseable> owned;
    private volatile Source lastUsed;

    private record Source(String description, AwsCredentialsProvider provider) {
    }

    private AwsCredentialChain(List<Source> sources, SecretMasker masker, boolean ambientIdentity,
                               List<AutoCloseable> owned) {
        this.sources = List.copyOf(sources);
        this.masker = masker;
        this.ambientIdentity = ambientIdentity;
        this.owned = List.copyOf(owned);
    }

    /**
     * The chain for a config block ({@code access_key_id}, {@code secret_access_key}, {@code session_token},
     * {@code profile}) and the context's environment variables.
     *
     * @param region    the region for the STS calls of web identity
     * @param endpoints the STS endpoint override, if any
     * @param http      the HTTP client to use for STS (not closed by the chain)
     * @throws dev.launchkit.core.ConfigException when only one of the access key id and secret is given
     */
    public static AwsCredentialChain from(ConfigNode block, LaunchContext context, Region region,
                                          AwsEndpoints endpoints, SdkHttpClient http) {
        SecretMasker masker = context.masker();
        List<Source> sources = new ArrayList<>();
        List<AutoCloseable> owned = new ArrayList<>();

        Optional<String> keyId = block.optString("access_key_id").filter(s -> !s.isBlank());
        Optional<String> secret = block.optString("secret_access_key").filter(s -> !s.isBlank());
        if (keyId.isPresent() != secret.isPresent()) {
            throw block.child(keyId.isPresent() ? "secret_access_key" : "access_key_id")
                    .error("is required when " + (keyId.isPresent() ? "access_key_id" : "secret_access_key")
                            + " is set; give both, or neither to use the default AWS credential chain");
        }
        if (keyId.isPresent()) {
            sources.add(new Source("static keys in " + block.location() + " (" + block.path() + ".access_key_id)",
                    StaticCredentialsProvider.create(credentials(keyId.get(), secret.get(),
                            block.optString("session_token").orElse(""), masker))));
        }

        Optional<String> envKey = context.env("AWS_ACCESS_KEY_ID");
        Optional<String> envSecret = context.env("AWS_SECRET_ACCESS_KEY");
        if (envKey.isPresent() && envSecret.isPresent()) {
            sources.add(new Source("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
                    StaticCredentialsProvider.create(credentials(envKey.get(), envSecret.get(),
                            context.env("AWS_SESSION_TOKEN").orElse(""), masker))));
        }

        Optional<String> tokenFile = context.env("AWS_WEB_IDENTITY_TOKEN_FILE");
        Optional<String> roleArn = context.env("AWS_ROLE_ARN");
        if (tokenFile.isPresent() && roleArn.isPresent()) {
            StsClient sts = AwsClients.configure(StsClient.builder(), region, AnonymousCredentialsProvider.create(),
                    endpoints.forService("sts"), http).build();
            owned.add(sts);
            String session = context.env("AWS_ROLE_SESSION_NAME").orElse("launchkit-agent");
            Path file = Path.of(tokenFile.get());
            // The projected service-account token rotates; read it on every refresh, never once.
            StsAssumeRoleWithWebIdentityCredentialsProvider webIdentity =
                    StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
                            .stsClient(sts)
                            .asyncCredentialUpdateEnabled(false)
                            .refreshRequest(() -> AssumeRoleWithWebIdentityRequest.builder()
                                    .roleArn(roleArn.get())
                                    .roleSessionName(session)
                                    .webIdentityToken(readToken(file, masker))
                                    .build())
                            .build();
            owned.add(webIdentity);
            sources.add(new Source("web identity (IRSA) for role " + roleArn.get() + " with token file " + file,
                    webIdentity));
        }

        profileFile(context).ifPresent(profiles -> {
            String name = block.optString("profile").filter(s -> !s.isBlank())
                    .or(() -> context.env("AWS_PROFILE")).orElse("default");
            ProfileCredentialsProvider provider = ProfileCredentialsProvider.builder()
                    .profileFile(profiles).profileName(name).build();
            owned.add(provider);
            sources.add(new Source("profile '" + name + "' of the shared AWS config files", provider));
        });

        if (context.env("AWS_CONTAINER_CREDENTIALS_FULL_URI").isPresent()
                || context.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").isPresent()) {
            ContainerCredentialsProvider provider = ContainerCredentialsProvider.builder().build();
            owned.add(provider);
            sources.add(new Source("container credentials (EKS Pod Identity / ECS)", provider));
        }

        if (!context.env("AWS_EC2_METADATA_DISABLED").map("true"::equalsIgnoreCase).orElse(false)) {
            InstanceProfileCredentialsProvider provider = InstanceProfileCredentialsProvider.builder().build();
            owned.add(provider);
            sources.add(new Source("EC2 instance profile (IMDS)", provider));
        }

        boolean ambient = (tokenFile.isPresent() && roleArn.isPresent())
                || context.env("AWS_CONTAINER_CREDENTIALS_FULL_URI").isPresent();
        return new AwsCredentialChain(sources, masker, ambient, owned);
    }

    /**
     * Whether the pod has an ambient workload identity (IRSA or EKS Pod Identity variables are set), so in-cluster
     * builders can authenticate with a credential helper instead of a secret.
     */
    public boolean ambientIdentity() {
        return ambientIdentity;
    }

    /** Where the last resolved credentials came from, for messages. */
    public Optional<String> source() {
        Source s = lastUsed;
        return s == null ? Optional.empty() : Optional.of(s.description());
    }

    @Override
    public AwsCredentials resolveCredentials() {
        Source last = lastUsed;
        if (last != null) {
            try {
                return remember(last, last.provider().resolveCredentials());
            } catch (SdkException e) {
                lastUsed = null;
            }
        }
        List<String> tried = new ArrayList<>();
        for (Source source : sources) {
            try {
                return remember(source, source.provider().resolveCredentials());
            } catch (SdkException | IllegalStateException e) {
                tried.add(source.description() + ": " + masker.mask(String.valueOf(e.getMessage())));
            }
        }
        throw SdkClientException.create("no AWS credentials found"
                + (tried.isEmpty() ? " (none is configured: no keys in the config block or the environment, no "
                + "web identity token, no shared config files, no container credentials, and instance metadata is "
                + "disabled)" : "; tried " + String.join("; ", tried))
                + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run the agent under IRSA "
                + "(AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) or EKS Pod Identity, or configure a profile");
    }

    /**
     * The current credentials, or {@code error(message)} explaining which sources were tried.
     *
     * @param error turns the explanation into the caller's exception type
     */
    public AwsCredentials resolve(java.util.function.Function<String, RuntimeException> error) {
        try {
            return resolveCredentials();
        } catch (SdkException e) {
            throw error.apply(masker.mask(e.getMessage()));
        }
    }

    private AwsCredentials remember(Source source, AwsCredentials credentials) {
        masker.register(credentials.secretAccessKey());
        if (credentials instanceof AwsSessionCredentials session) {
            masker.register(session.sessionToken());
        }
        lastUsed = source;
        return credentials;
    }

    private static AwsCredentials credentials(String keyId, String secret, String sessionToken, SecretMasker masker) {
        masker.register(secret);
        masker.register(sessionToken);
        return sessionToken.isBlank()
                ? AwsBasicCredentials.create(keyId, secret)
                : AwsSessionCredentials.create(keyId, secret, sessionToken);
    }

    private static String readToken(Path file, SecretMasker masker) {
        try {
            String token = Files.readString(file).strip();
            masker.register(token);
            return token;
        } catch (java.io.IOException e) {
            throw SdkClientException.create("cannot read the web identity token file " + file + " ("
                    + e.getClass().getSimpleName() + "); is the service account token projected into the pod?");
        }
    }

    /** The shared config and credentials files that exist, as the SDK would find them, from the context env. */
    private static Optional<ProfileFile> profileFile(LaunchContext context) {
        Optional<Path> home = context.env("HOME").map(Path::of);
        Optional<Path> credentials = context.env("AWS_SHARED_CREDENTIALS_FILE").map(Path::of)
                .or(() -> home.map(h -> h.resolve(".aws/credentials")));
        Optional<Path> config = context.env("AWS_CONFIG_FILE").map(Path::of)
                .or(() -> home.map(h -> h.resolve(".aws/config")));
        ProfileFile.Aggregator aggregator = ProfileFile.aggregator();
        boolean any = false;
        if (config.filter(Files::isRegularFile).isPresent()) {
            aggregator.addFile(ProfileFile.builder().content(config.get()).type(ProfileFile.Type.CONFIGURATION).build());
            any = true;
        }
        if (credentials.filter(Files::isRegularFile).isPresent()) {
            aggregator.addFile(ProfileFile.builder().content(credentials.get()).type(ProfileFile.Type.CREDENTIALS)
                    .build());
            any = true;
        }
        return any ? Optional.of(aggregator.build()) : Optional.empty();
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing SDK providers only releases threads and connections; nothing to report.
            }
        }
    }
}
