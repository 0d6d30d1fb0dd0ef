package dev.launchkit.testkit.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One request the {@link FakeWandbServer} received, in arrival order.
 *
 * @param sequence      1, 2, 3, ... in arrival order
 * @param at            when it arrived
 * @param kind          a GraphQL operation or a signed-URL download
 * @param operation     the GraphQL operation name as sent ({@code popFromRunQueue}), or the download path
 * @param variables     the GraphQL variables (an empty object for downloads)
 * @param body          the raw request body as received (empty for downloads)
 * @param authorization whether an {@code Authorization} header was present (its value is never recorded)
 * @param status        the HTTP status the fake answered
 * @param fault         the injected fault that answered this call, or empty when it was served normally
 * @param response      the response body sent (empty for downloads)
 */
public record RecordedCall(int sequence, Instant at, Kind kind, String operation, JsonNode variables, String body,
                           boolean authorization, int status, String fault, String response) {

    /** What a recorded call was. */
    public enum Kind {
        /** A POST to {@code /graphql}. */
        GRAPHQL,
        /** A GET of a signed storage URL. */
        DOWNLOAD
    }

    public RecordedCall {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        operation = operation == null ? "" : operation;
        Objects.requireNonNull(variables, "variables");
        body = body == null ? "" : body;
        fault = fault == null ? "" : fault;
        response = response == null ? "" : response;
    }

    /** Whether this is a {@code popFromRunQueue} that returned an item. */
    public boolean poppedItem() {
        return operation.equals("popFromRunQueue") && status == 200 && fault.isEmpty()
                && response.contains("\"runQueueItemId\"");
    }

    /** A variable as text ({@code ""} when absent or null). */
    public String variable(String name) {
        JsonNode v = variables.path(name);
        return v.isMissingNode() || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    /** {@code #3 popFromRunQueue {queueName=k8s-test, ...}}, for assertion messages. */
    @Override
    public String toString() {
        return "#" + sequence + " " + operation + (variables.isEmpty() ? "" : " " + variables)
                + (fault.isEmpty() ? "" : " [fault: " + fault + "]");
    }
}
