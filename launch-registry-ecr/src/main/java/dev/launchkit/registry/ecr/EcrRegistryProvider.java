package dev.launchkit.registry.ecr;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.registry.ecr.aws.AwsClients;
import dev.launchkit.registry.ecr.aws.AwsCredentialChain;
import dev.launchkit.registry.ecr.aws.AwsEndpoints;
import dev.launchkit.registry.ecr.aws.AwsEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Creates the {@code ecr} registry from any of the W&amp;B config shapes:
 * <pre>{@code
 * registry: {type: ecr, uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/launch}
 * builder:  {destination: 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/launch-images}
 * registry: {type: ecr, account_id: "123456789012", region: us-east-1, repository: launch}   # or repo_name
 * }</pre>
 * A tag or digest in the URI is refused (the agent tags each image with a hash of its source). W&amp;B's ECR
 * registry reads {@code repository} but only accepts {@code repo_name}; both are accepted here.
 *
 * <p>Other keys: {@code auth} ({@code token} | {@code ecr-login}; default {@code ecr-login} when the agent runs
 * with IRSA or EKS Pod Identity, else {@code token}), {@code endpoints} ({@code {ecr, sts}} overrides), and the
 * credential keys of {@link AwsCredentialChain} when no {@code aws} environment is configured (otherwise the
 * environment's credentials are shared).
 */
public final class EcrRegistryProvider implements RegistryProvider {
    /** The type word. */
    public static final String TYPE = "ecr";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> secretKeys() {
        return AwsCredentialChain.SECRET_KEYS;
    }

    /** ECR hosts: {@code <account>.dkr.ecr.<region>.amazonaws.com[.cn]}. */
    @Override
    public boolean handles(String repositoryUri) {
        return EcrRepository.isEcrUri(repositoryUri);
    }

    @Override
    public Registry create(ConfigNode config, LaunchContext context) {
        EcrRepository repository = repository(config);
        Optional<AwsEnvironment> environment = context.environment()
                .filter(AwsEnvironment.class::isInstance).map(AwsEnvironment.class::cast);
        AwsEndpoints endpoints = AwsEndpoints.fromBlock(config)
                .orElse(environment.map(AwsEnvironment::endpoints).orElseGet(() -> AwsEndpoints.fromEnv(context)));
        SdkHttpClient http = AwsClients.newHttpClient();
        try {
            AwsCredentialChain credentials = environment.map(AwsEnvironment::credentials).orElseGet(() ->
                    AwsCredentialChain.from(config, context, Region.of(repository.region()), endpoints, http));
            EcrAuthMode mode = authMode(config, credentials);
            return new EcrRegistry(repository, mode, credentials, environment.isEmpty(), endpoints, http, config,
                    context.masker(), context.clock());
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    /**
     * The repository from {@code uri}, or from {@code account_id}, {@code region} and {@code repository} (alias
     * {@code repo_name}).
     *
     * @throws dev.launchkit.core.ConfigException naming the key: a tag in the URI, missing or conflicting parts
     */
    static EcrRepository repository(ConfigNode config) {
        Optional<String> uri = config.optString("uri").map(String::strip).filter(s -> !s.isEmpty());
        Optional<String> account = config.optString("account_id").map(String::strip).filter(s -> !s.isEmpty());
        Optional<String> region = config.optString("region").map(String::strip).filter(s -> !s.isEmpty());
        Optional<String> name = repositoryName(config);
        if (uri.isPresent()) {
            EcrRepository parsed;
            try {
                parsed = EcrRepository.parse(uri.get());
            } catch (IllegalArgumentException e) {
                throw config.child("uri").error(e.getMessage());
            }
            conflict(config, "account_id", account, parsed.account());
            conflict(config, "region", region, parsed.region());
            conflict(config, config.has("repository") ? "repository" : "repo_name", name, parsed.name());
            return parsed;
        }
        List<String> missing = new ArrayList<>();
        account.ifPresentOrElse(a -> { }, () -> missing.add("account_id"));
        region.ifPresentOrElse(r -> { }, () -> missing.add("region"));
        name.ifPresentOrElse(n -> { }, () -> missing.add("repository"));
        if (!missing.isEmpty()) {
            throw config.error("an ecr registry needs either uri (<account>.dkr.ecr.<region>.amazonaws.com/"
                    + "<repository>) or all of account_id, region and repository; missing: "
                    + String.join(", ", missing));
        }
        if (!account.get().matches("\\d{12}")) {
            throw config.child("account_id").error("'" + account.get() + "' is not an AWS account id (12 digits); "
                    + "quote it in YAML so leading zeros are kept");
        }
        try {
            return EcrRepository.of(account.get(), region.get(), name.get());
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().contains("region") ? "region"
                    : config.has("repository") ? "repository" : "repo_name";
            throw config.child(key).error(e.getMessage());
        }
    }

    private static Optional<String> repositoryName(ConfigNode config) {
        Optional<String> repository = config.optString("repository").map(String::strip).filter(s -> !s.isEmpty());
        Optional<String> repoName = config.optString("repo_name").map(String::strip).filter(s -> !s.isEmpty());
        if (repository.isPresent() && repoName.isPresent() && !repository.get().equals(repoName.get())) {
            throw config.child("repo_name").error("'" + repoName.get() + "' differs from repository '"
                    + repository.get() + "'; repo_name is an alias of repository, give one of them");
        }
        return repository.or(() -> repoName);
    }

    private static void conflict(ConfigNode config, String key, Optional<String> given, String fromUri) {
        if (given.isPresent() && !given.get().equals(fromUri)) {
            throw config.child(key).error("'" + given.get() + "' conflicts with uri, which says '" + fromUri
                    + "'; give either uri or the separate keys");
        }
    }

    private static EcrAuthMode authMode(ConfigNode config, AwsCredentialChain credentials) {
        Optional<String> auth = config.optString("auth");
        if (auth.isEmpty()) {
            return credentials.ambientIdentity() ? EcrAuthMode.CREDENTIAL_HELPER : EcrAuthMode.TOKEN;
        }
        return EcrAuthMode.fromWord(auth.get()).orElseThrow(() -> config.child("auth").error("'" + auth.get()
                + "' is not one of token, ecr-login (token: the agent hands out a 12-hour ECR token; ecr-login: "
                + "no secret, builders use their own workload identity)"));
    }
}
