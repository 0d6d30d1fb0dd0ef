package dev.launchkit.k8s.submit;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import dev.launchkit.k8s.Labels;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Secret;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a Secret, or settles a 409 the way W&B's {@code ensure_api_key_secret} does: the same data is reused; other
 * data in a Secret the agent created ({@code wandb.ai/created-by: launch-agent}) is deleted and created again; other
 * data in anyone else's Secret is an error, because overwriting it would break whoever owns it.
 */
final class SecretEnsurer {
    private static final Logger LOG = LoggerFactory.getLogger(SecretEnsurer.class);
    static final String CREATED_BY_AGENT = "launch-agent";

    /** What happened to a Secret. */
    enum Outcome { CREATED, REUSED, RECREATED }

    private final CoreV1Api core;
    private final ApiCalls calls;

    SecretEnsurer(CoreV1Api core, ApiCalls calls) {
        this.core = core;
        this.calls = calls;
    }

    Outcome ensure(V1Secret secret) {
        String ns = secret.getMetadata().getNamespace();
        String name = secret.getMetadata().getName();
        ApiCalls.Action create = new ApiCalls.Action("create", "secrets", ns, name);
        try {
            calls.retrying(create, () -> core.createNamespacedSecret(ns, secret).execute());
            return Outcome.CREATED;
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw calls.failure(create, e, Stage.RUN);
            }
        }
        V1Secret existing = read(ns, name);
        if (sameData(existing, secret)) {
            return Outcome.REUSED;
        }
        Map<String, String> labels = existing.getMetadata().getLabels();
        String createdBy = labels == null ? "" : Objects.requireNonNullElse(labels.get(Labels.CREATED_BY), "");
        if (!createdBy.equals(CREATED_BY_AGENT)) {
            throw new LaunchException(Stage.RUN, "Secret " + ns + "/" + name + " already exists with other data and "
                    + "was not created by the launch agent (" + Labels.CREATED_BY + "="
                    + (createdBy.isEmpty() ? "<unset>" : createdBy) + "); delete it or give it the data the run "
                    + "needs, then retry");
        }
        LOG.info("Secret {}/{} exists with stale data; recreating it", ns, name);
        ApiCalls.Action delete = new ApiCalls.Action("delete", "secrets", ns, name);
        try {
            calls.retrying(delete, () -> core.deleteNamespacedSecret(name, ns).execute());
            calls.retrying(create, () -> core.createNamespacedSecret(ns, secret).execute());
        } catch (ApiException e) {
            throw calls.failure(e.getCode() == 409 ? create : delete, e, Stage.RUN);
        }
        return Outcome.RECREATED;
    }

    /** Deletes a Secret this submission created, after the object could not be created. Best effort. */
    void deleteQuietly(V1Secret secret) {
        String ns = secret.getMetadata().getNamespace();
        String name = secret.getMetadata().getName();
        try {
            calls.retrying(new ApiCalls.Action("delete", "secrets", ns, name),
                    () -> core.deleteNamespacedSecret(name, ns).execute());
        } catch (ApiException | RuntimeException e) {
            LOG.warn("could not delete Secret {}/{} after the run's object failed to be created: {}", ns, name,
                    e instanceof ApiException a ? "HTTP " + a.getCode() : e.getClass().getSimpleName());
        }
    }

    private V1Secret read(String ns, String name) {
        ApiCalls.Action read = new ApiCalls.Action("get", "secrets", ns, name);
        try {
            return calls.retrying(read, () -> core.readNamespacedSecret(name, ns).execute());
        } catch (ApiException e) {
            throw calls.failure(read, e, Stage.RUN);
        }
    }

    private static boolean sameData(V1Secret existing, V1Secret wanted) {
        if (!Objects.equals(existing.getType(), wanted.getType()) && existing.getType() != null) {
            return false;
        }
        Map<String, byte[]> have = new java.util.HashMap<>(existing.getData() == null ? Map.of() : existing.getData());
        // A server folds stringData into data; some (test) servers keep it apart, so fold it here too.
        if (existing.getStringData() != null) {
            existing.getStringData().forEach((k, v) -> have.put(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Map<String, byte[]> want = wanted.getData() == null ? Map.of() : wanted.getData();
        if (!have.keySet().equals(want.keySet())) {
            return false;
        }
        return want.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), have.get(e.getKey())));
    }
}
