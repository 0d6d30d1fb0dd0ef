package dev.launchkit.k8s.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.k8s.KubeObjectRef;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of submitting a rendered run: the object as the server holds it.
 *
 * @param ref     the object, with the plural discovery reported
 * @param object  the object as the API server returned it (uid, resourceVersion, status)
 * @param adopted whether the object already existed for this run (a resubmission got 409) and was adopted
 * @param secrets names of the Secrets created or reused for the run
 */
public record Submission(KubeObjectRef ref, ObjectNode object, boolean adopted, List<String> secrets) {
    public Submission {
        Objects.requireNonNull(ref, "ref");
        object = Objects.requireNonNull(object, "object").deepCopy();
        secrets = List.copyOf(secrets);
    }

    /** The server-assigned uid. */
    public String uid() {
        return object.path("metadata").path("uid").asText("");
    }

    @Override
    public ObjectNode object() {
        return object.deepCopy();
    }
}
