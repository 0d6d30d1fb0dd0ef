package dev.launchkit.registry.acr.auth;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Configuration;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.core.util.ConfigurationSource;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.EnvironmentCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's Microsoft Entra (AAD) credential, from azure-identity, chosen by the block's {@code credential} key and
 * configured with the agent's (injectable) environment rather than the process's:
 *
 * <ul>
 *   <li>{@code default}: {@code DefaultAzureCredential} (service principal env vars, AKS workload identity, managed
 *       identity, Azure CLI, ...);</li>
 *   <li>{@code workload-identity}: AKS workload identity ({@code AZURE_CLIENT_ID}, {@code AZURE_TENANT_ID},
 *       {@code AZURE_FEDERATED_TOKEN_FILE});</li>
 *   <li>{@code managed-identity}: the VM's or pod's managed identity ({@code AZURE_CLIENT_ID} for a user-assigned
 *       one);</li>
 *   <li>{@code environment}: a service principal from {@code AZURE_CLIENT_ID}, {@code AZURE_TENANT_ID} and
 *       {@code AZURE_CLIENT_SECRET} or {@code AZURE_CLIENT_CERTIFICATE_PATH};</li>
 *   <li>{@code azure-cli}: the signed-in Azure CLI.</li>
 * </ul>
 *
 * <p>Credentials refresh their own tokens; nothing is captured once and kept.
 */
public final class AzureCredentials {
    private AzureCredentials() {
    }

    /** Makes the credential a plugin uses; embedders and tests can supply their own. */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param block   the plugin's config block (its {@code credential} key chooses the kind)
         * @param context the agent's context (its environment variables configure the credential)
         */
        TokenCredential create(ConfigNode block, LaunchContext context);
    }

    /** The azure-identity credential named by {@code block.credential} (default {@code default}). */
    public static TokenCredential fromConfig(ConfigNode block, LaunchContext context) {
        String kind = block.string("credential", "default").trim().toLowerCase(Locale.ROOT);
        Configuration configuration = configuration(context.env());
        HttpClient http = new JdkHttpClientBuilder().build();
        return switch (kind) {
            case "default" -> new DefaultAzureCredentialBuilder().configuration(configuration).httpClient(http)
                    .build();
            case "workload-identity" -> new WorkloadIdentityCredentialBuilder().configuration(configuration)
                    .httpClient(http).build();
            case "managed-identity" -> {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder()
                        .configuration(configuration).httpClient(http);
                context.env("AZURE_CLIENT_ID").ifPresent(b::clientId);
                yield b.build();
            }
            case "environment" -> new EnvironmentCredentialBuilder().configuration(configuration).httpClient(http)
                    .build();
            case "azure-cli" -> new AzureCliCredentialBuilder().configuration(configuration)
                    .processTimeout(Duration.ofSeconds(30)).build();
            default -> throw block.child("credential").error("'" + kind + "' is not one of default, "
                    + "workload-identity, managed-identity, environment, azure-cli");
        };
    }

    /** An azure-core configuration that reads environment variables from {@code env} only. */
    public static Configuration configuration(Map<String, String> env) {
        ConfigurationSource none = path -> Map.of();
        ConfigurationSource environment = path -> env;
        return new ConfigurationBuilder(none, none, environment).build();
    }

    /**
     * A token for {@code scope}, registered with the masker.
     *
     * @param what what the token is for, for the message (e.g. {@code registry launch.azurecr.io})
     * @throws LaunchException (stage build) saying which credentials to provide
     */
    public static AccessToken token(TokenCredential credential, String scope, String what, SecretMasker masker) {
        AccessToken token;
        try {
            token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
        } catch (RuntimeException e) {
            throw new LaunchException(Stage.BUILD, masker.mask("no Azure credentials for " + what + ": "
                    + firstLine(e.getMessage()) + ". Give the agent an identity: AKS workload identity "
                    + "(AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE), a managed identity, or a "
                    + "service principal (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET)"), e);
        }
        if (token == null || token.getToken() == null) {
            throw new LaunchException(Stage.BUILD, "the Azure credential returned no token for " + what);
        }
        masker.register(token.getToken());
        return token;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
