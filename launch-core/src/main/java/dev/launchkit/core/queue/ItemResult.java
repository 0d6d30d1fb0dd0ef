package dev.launchkit.core.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.RunState;
import dev.launchkit.core.RunStatus;
import dev.launchkit.core.Stage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one queue item: its state, the run id it was acked with, the stage and message of a failure,
 * the terminal run state of a completion, its warnings and timestamps. Immutable; each transition returns a copy.
 *
 * <p>The JSON form ({@link #toJson()}) is the {@code <item>.result.json} file of a directory queue:
 * <pre>{@code
 * {"item": "train.json", "queue": "local", "state": "failed", "priority": "medium",
 *  "stage": "run", "message": "the run failed: exit code 3", "run_id": "k3j9x0ab", "run_state": "failed",
 *  "requeued_as": "", "warnings": [{"stage": "run", "message": "...", "at": "2026-11-02T10:00:01Z"}],
 *  "enqueued_at": "...", "taken_at": "...", "acked_at": "...", "ended_at": "..."}
 * }</pre>
 */
public final class ItemResult {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String itemId;
    private final String queue;
    private final ItemState state;
    private final Priority priority;
    private final Stage stage;
    private final String message;
    private final String runId;
    private final RunState runState;
    private final String requeuedAs;
    private final List<ItemWarning> warnings;
    private final Instant enqueuedAt;
    private final Instant takenAt;
    private final Instant ackedAt;
    private final Instant endedAt;

    private ItemResult(String itemId, String queue, ItemState state, Priority priority, Stage stage, String message,
                       String runId, RunState runState, String requeuedAs, List<ItemWarning> warnings,
                       Instant enqueuedAt, Instant takenAt, Instant ackedAt, Instant endedAt) {
        this.itemId = Objects.requireNonNull(itemId, "itemId");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.state = Objects.requireNonNull(state, "state");
        this.priority = Objects.requireNonNull(priority, "priority");
        this.stage = stage;
        this.message = message == null ? "" : message;
        this.runId = runId == null ? "" : runId;
        this.runState = runState;
        this.requeuedAs = requeuedAs == null ? "" : requeuedAs;
        this.warnings = List.copyOf(warnings);
        this.enqueuedAt = enqueuedAt;
        this.takenAt = takenAt;
        this.ackedAt = ackedAt;
        this.endedAt = endedAt;
    }

    /** A freshly pushed item. */
    public static ItemResult pending(String itemId, String queue, Priority priority, Instant enqueuedAt) {
        return new ItemResult(itemId, queue, ItemState.PENDING, priority, null, "", "", null, "", List.of(),
                enqueuedAt, null, null, null);
    }

    /** This item, taken by an agent at {@code at}. */
    public ItemResult taken(Instant at) {
        return new ItemResult(itemId, queue, ItemState.RUNNING, priority, stage, message, runId, runState, requeuedAs,
                warnings, enqueuedAt, at, ackedAt, endedAt);
    }

    /** This item, acked with its run id. */
    public ItemResult acked(String newRunId, Instant at) {
        return new ItemResult(itemId, queue, state, priority, stage, message, newRunId, runState, requeuedAs,
                warnings, enqueuedAt, takenAt, at, endedAt);
    }

    /** This item with one more warning. */
    public ItemResult warned(ItemWarning warning) {
        List<ItemWarning> more = new ArrayList<>(warnings);
        more.add(warning);
        return new ItemResult(itemId, queue, state, priority, stage, message, runId, runState, requeuedAs, more,
                enqueuedAt, takenAt, ackedAt, endedAt);
    }

    /** This item, failed. */
    public ItemResult failed(Stage failedStage, String failure, Instant at) {
        return new ItemResult(itemId, queue, ItemState.FAILED, priority, failedStage, failure, runId,
                failedStage == Stage.RUN ? RunState.FAILED : runState, requeuedAs, warnings, enqueuedAt, takenAt, ackedAt,
                at);
    }

    /** This item, ended with a non-failed run status. */
    public ItemResult completed(RunStatus status, Instant at) {
        return new ItemResult(itemId, queue, ItemState.DONE, priority, null, status.message(), runId,
                status.state(), requeuedAs, warnings, enqueuedAt, takenAt, ackedAt, at);
    }

    /** This item, with the id of the item that resumes its run after preemption. */
    public ItemResult requeuedAs(String newItemId) {
        return new ItemResult(itemId, queue, state, priority, stage, message, runId, runState, newItemId, warnings,
                enqueuedAt, takenAt, ackedAt, endedAt);
    }

    public String itemId() {
        return itemId;
    }

    public String queue() {
        return queue;
    }

    public ItemState state() {
        return state;
    }

    public Priority priority() {
        return priority;
    }

    /** The stage of a failure; empty unless {@link ItemState#FAILED}. */
    public Optional<Stage> stage() {
        return Optional.ofNullable(stage);
    }

    /** The failure message, or the terminal status message; empty when none. */
    public String message() {
        return message;
    }

    /** The run id the item was acked with; empty until acked. */
    public Optional<String> runId() {
        return runId.isEmpty() ? Optional.empty() : Optional.of(runId);
    }

    /** The terminal run state reported with the end; empty while not ended. */
    public Optional<RunState> runState() {
        return Optional.ofNullable(runState);
    }

    /** The item that resumes this item's run after preemption; empty when not requeued. */
    public Optional<String> requeuedAs() {
        return requeuedAs.isEmpty() ? Optional.empty() : Optional.of(requeuedAs);
    }

    public List<ItemWarning> warnings() {
        return warnings;
    }

    public Optional<Instant> enqueuedAt() {
        return Optional.ofNullable(enqueuedAt);
    }

    public Optional<Instant> takenAt() {
        return Optional.ofNullable(takenAt);
    }

    public Optional<Instant> ackedAt() {
        return Optional.ofNullable(ackedAt);
    }

    public Optional<Instant> endedAt() {
        return Optional.ofNullable(endedAt);
    }

    /** The result-file form (see the class comment). */
    public ObjectNode toJson() {
        ObjectNode o = NODES.objectNode();
        o.put("item", itemId);
        o.put("queue", queue);
        o.put("state", state.wireName());
        o.put("priority", priority.wireName());
        o.put("stage", stage == null ? "" : stage.wireName());
        o.put("message", message);
        o.put("run_id", runId);
        o.put("run_state", runState == null ? "" : runState.wireName());
        o.put("requeued_as", requeuedAs);
        ArrayNode w = o.putArray("warnings");
        for (ItemWarning warning : warnings) {
            w.addObject().put("stage", warning.stage().wireName()).put("message", warning.message())
                    .put("at", warning.at().toString());
        }
        putTime(o, "enqueued_at", enqueuedAt);
        putTime(o, "taken_at", takenAt);
        putTime(o, "acked_at", ackedAt);
        putTime(o, "ended_at", endedAt);
        return o;
    }

    /**
     * Reads the result-file form.
     *
     * @throws IllegalArgumentException when a field has an unknown value
     */
    public static ItemResult fromJson(JsonNode o) {
        List<ItemWarning> warnings = new ArrayList<>();
        for (JsonNode w : o.path("warnings")) {
            warnings.add(new ItemWarning(stage(w.path("stage").asText("")).orElse(Stage.AGENT),
                    w.path("message").asText(""), time(w.path("at")).orElse(Instant.EPOCH)));
        }
        String rs = o.path("run_state").asText("");
        return new ItemResult(o.path("item").asText(""), o.path("queue").asText(""),
                ItemState.parse(o.path("state").asText("pending")),
                Priority.parse(o.path("priority").asText("medium")),
                stage(o.path("stage").asText("")).orElse(null), o.path("message").asText(""),
                o.path("run_id").asText(""), rs.isEmpty() ? null : RunState.valueOf(rs.toUpperCase(Locale.ROOT)),
                o.path("requeued_as").asText(""), warnings, time(o.path("enqueued_at")).orElse(null),
                time(o.path("taken_at")).orElse(null), time(o.path("acked_at")).orElse(null),
                time(o.path("ended_at")).orElse(null));
    }

    private static Optional<Stage> stage(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(Stage.valueOf(s.toUpperCase(Locale.ROOT)));
    }

    private static Optional<Instant> time(JsonNode n) {
        return n.isTextual() && !n.asText().isEmpty() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
    }

    private static void putTime(ObjectNode o, String key, Instant t) {
        if (t != null) {
            o.put(key, t.toString());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemResult r && r.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return queue + "/" + itemId + " " + state.wireName() + (runId.isEmpty() ? "" : " run " + runId)
                + (stage == null ? "" : " at " + stage.wireName()) + (message.isEmpty() ? "" : ": " + message);
    }
}
