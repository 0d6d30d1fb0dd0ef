package dev.launchkit.k8s.monitor.diagnose;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonParseException;
import io.kubernetes.client.openapi.models.V1Pod;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads pods from JSON into the official client's {@link V1Pod} model, ignoring fields the model does not know.
 *
 * <p>The client's own {@code JSON.deserialize} rejects any unknown field ("The field `x` in the JSON string is not
 * defined in the `V1PodStatus` properties"), so an API server one minor version ahead of the client — which adds
 * pod status fields regularly — would blind the monitor. The models carry their JSON names as annotations, so a
 * plain Gson with a timestamp adapter reads them and skips the rest. Thread-safe.
 */
public final class PodReader {
    private final Gson gson = new GsonBuilder()
            .registerTypeAdapter(OffsetDateTime.class, (JsonDeserializer<OffsetDateTime>) (json, type, ctx) -> {
                try {
                    return OffsetDateTime.parse(json.getAsString());
                } catch (DateTimeParseException | UnsupportedOperationException e) {
                    throw new JsonParseException("not an RFC 3339 timestamp: " + json, e);
                }
            })
            .create();

    /** The pod in the given JSON text. */
    public V1Pod read(String json) {
        return gson.fromJson(json, V1Pod.class);
    }
}
