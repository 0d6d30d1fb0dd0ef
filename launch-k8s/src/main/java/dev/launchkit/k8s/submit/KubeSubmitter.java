package dev.launchkit.k8s.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.k8s.KubeObjectRef;
import dev.launchkit.k8s.Labels;
import dev.launchkit.k8s.render.RenderedRun;
import dev.launchkit.k8s.render.RenderedSecret;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.PatchUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a rendered run in the cluster with the official client: its Secrets first, then the object (the batch
 * API for Jobs, {@code CustomObjectsApi} for custom resources, the plural from {@link ApiDiscovery}), then owner
 * references from the run's own Secrets to the object so they are deleted with it.
 *
 * <p>Idempotent by name. A 409 on the object means this run was submitted before (the name derives from the run
 * id): the object is read back and adopted when its {@code wandb.ai/run-id} label is this run's, and refused
 * otherwise. Transient failures (429, 5xx, connection) are retried with {@link Backoff}. When the object cannot be
 * created, the run's own Secrets created by this call are deleted again.
 *
 * <p>Thread-safe.
 */
public final class KubeSubmitter {
    private static final Logger LOG = LoggerFactory.getLogger(KubeSubmitter.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ApiClient client;
    private final ApiCalls calls;
    private final ApiDiscovery discovery;
    private final SecretEnsurer secrets;
    private final JSON json = new JSON();

    /**
     * @param client  the client to submit through
     * @param backoff how transient failures are retried
     * @param masker  secrets to keep out of messages
     */
    public KubeSubmitter(ApiClient client, Backoff backoff, SecretMasker masker) {
        this(client, new ApiCalls(backoff, masker));
    }

    KubeSubmitter(ApiClient client, ApiCalls calls) {
        this.client = Objects.requireNonNull(client, "client");
        this.calls = calls;
        this.discovery = new ApiDiscovery(client, calls);
        this.secrets = new SecretEnsurer(new CoreV1Api(client), calls);
    }

    /** The discovery cache this submitter resolves plurals with. */
    public ApiDiscovery discovery() {
        return discovery;
    }

    /**
     * Creates (or adopts) the run's Secrets and object.
     *
     * @throws LaunchException at stage {@link Stage#AGENT} when the kind is not served or not namespaced, at
     *                         {@link Stage#RUN} when the API server refuses, quoting it
     */
    public Submission submit(RenderedRun run) {
        KubeObjectRef ref = run.ref(plural(run));
        List<V1Secret> created = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (RenderedSecret s : run.secrets()) {
            SecretEnsurer.Outcome outcome = secrets.ensure(s.secret());
            if (outcome != SecretEnsurer.Outcome.REUSED && s.perRun()) {
                created.add(s.secret());
            }
            names.add(s.name());
        }
        ObjectNode object;
        boolean adopted = false;
        try {
            object = create(run, ref);
        } catch (ApiException e) {
            if (e.getCode() == 409) {
                object = adopt(run, ref);
            } else {
                Optional<ObjectNode> stored = ApiCalls.isTransient(e) ? storedDespite(run, ref, e)
                        : Optional.empty();
                if (stored.isEmpty()) {
                    created.forEach(secrets::deleteQuietly);
                    throw calls.failure(action("create", ref), e, Stage.RUN);
                }
                object = stored.get();
            }
            adopted = true;
        }
        String uid = object.path("metadata").path("uid").asText("");
        for (RenderedSecret s : run.secrets()) {
            if (s.perRun()) {
                ownSecret(s, ref, uid);
            }
        }
        LOG.info("{} {} {} for run {}", adopted ? "adopted existing" : "created", ref.kind(), ref.namespace() + "/"
                + ref.name(), object.path("metadata").path("labels").path(Labels.RUN_ID).asText(""));
        return new Submission(ref, object, adopted, names);
    }

    private String plural(RenderedRun run) {
        if (run.isBatchJob()) {
            return "jobs";
        }
        ApiDiscovery.Resource r = discovery.resolve(run.apiVersion(), run.kind());
        if (!r.namespaced()) {
            throw new LaunchException(Stage.AGENT, "resource_args.kubernetes.kind: " + run.kind() + " ("
                    + run.apiVersion() + ") is cluster-scoped; the kubernetes runner creates namespaced objects only");
        }
        return r.plural();
    }

    private ObjectNode create(RenderedRun run, KubeObjectRef ref) throws ApiException {
        if (run.isBatchJob()) {
            BatchV1Api batch = new BatchV1Api(client);
            return tree(calls.retrying(action("create", ref),
                    () -> batch.createNamespacedJob(ref.namespace(), run.batchJob().orElseThrow()).execute()));
        }
        CustomObjectsApi custom = new CustomObjectsApi(client);
        return tree(calls.retrying(action("create", ref), () -> custom.createNamespacedCustomObject(ref.group(),
                ref.version(), ref.namespace(), ref.plural(), run.customObjectBody()).execute()));
    }

    /**
     * After the last create attempt failed with a transient error, whether an earlier attempt was stored anyway (the
     * server created the object, its answer was lost, and later attempts never reached it): then that object is this
     * run's, and failing the item would leave it running unreported.
     */
    private Optional<ObjectNode> storedDespite(RenderedRun run, KubeObjectRef ref, ApiException failure) {
        try {
            ObjectNode existing = adopt(run, ref);
            LOG.warn("creating {} {} failed ({}), but an earlier attempt was stored; adopting it", ref.kind(),
                    ref.namespace() + "/" + ref.name(), "HTTP " + failure.getCode());
            return Optional.of(existing);
        } catch (LaunchException notThere) {
            return Optional.empty(); // not found, not ours, or unreadable: the create's own failure stands
        }
    }

    /** Reads back the object a 409 reported and adopts it when it belongs to the same run. */
    private ObjectNode adopt(RenderedRun run, KubeObjectRef ref) {
        ObjectNode existing;
        try {
            existing = read(ref);
        } catch (ApiException e) {
            throw calls.failure(action("get", ref), e, Stage.RUN);
        }
        String ours = run.manifest().path("metadata").path("labels").path(Labels.RUN_ID).asText();
        String theirs = existing.path("metadata").path("labels").path(Labels.RUN_ID).asText("");
        if (!ours.equals(theirs)) {
            throw new LaunchException(Stage.RUN, ref.kind() + " " + ref.namespace() + "/" + ref.name()
                    + " already exists and belongs to " + (theirs.isEmpty() ? "something other than a launch run"
                    : "run " + theirs) + ", not run " + ours + ". Remove metadata.name from the queue's resource "
                    + "config so each run gets its own name (launch-<run id>)");
        }
        return existing;
    }

    private ObjectNode read(KubeObjectRef ref) throws ApiException {
        if (ref.isBatchJob()) {
            BatchV1Api batch = new BatchV1Api(client);
            return tree(calls.retrying(action("get", ref),
                    () -> batch.readNamespacedJob(ref.name(), ref.namespace()).execute()));
        }
        CustomObjectsApi custom = new CustomObjectsApi(client);
        return tree(calls.retrying(action("get", ref), () -> custom.getNamespacedCustomObject(ref.group(),
                ref.version(), ref.namespace(), ref.plural(), ref.name()).execute()));
    }

    /**
     * Makes the run's Secret a dependent of the run's object (JSON merge patch: the simulated and the real API
     * server both take it), so the garbage collector deletes it with the object. A failure only leaves the Secret
     * behind; the run itself is fine, so it is logged rather than thrown.
     */
    private void ownSecret(RenderedSecret s, KubeObjectRef ref, String uid) {
        if (uid.isEmpty()) {
            LOG.warn("{} {}/{} has no uid; Secret {} is not owner-referenced", ref.kind(), ref.namespace(), ref.name(),
                    s.name());
            return;
        }
        ObjectNode patch = MAPPER.createObjectNode();
        patch.putObject("metadata").putArray("ownerReferences").addObject()
                .put("apiVersion", ref.apiVersion()).put("kind", ref.kind()).put("name", ref.name()).put("uid", uid)
                .put("blockOwnerDeletion", false).put("controller", false);
        CoreV1Api core = new CoreV1Api(client);
        ApiCalls.Action action = new ApiCalls.Action("patch", "secrets", ref.namespace(), s.name());
        try {
            calls.retrying(action, () -> PatchUtils.patch(V1Secret.class, () -> core.patchNamespacedSecret(s.name(),
                    ref.namespace(), new V1Patch(patch.toString())).buildCall(null),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
        } catch (ApiException e) {
            LOG.warn("{}; the Secret will outlive the run", ApiCalls.describe(action, e));
        }
    }

    private static ApiCalls.Action action(String verb, KubeObjectRef ref) {
        return new ApiCalls.Action(verb, ApiCalls.resource(ref.plural(), ref.group()), ref.namespace(), ref.name());
    }

    private ObjectNode tree(Object response) {
        try {
            return (ObjectNode) MAPPER.readTree(json.serialize(response));
        } catch (IOException e) {
            throw new IllegalStateException("the API server's response did not parse: " + e.getMessage(), e);
        }
    }
}
