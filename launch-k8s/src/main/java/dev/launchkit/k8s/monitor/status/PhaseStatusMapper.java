package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.RunState;
import java.util.Locale;
import java.util.Map;

/**
 * Maps objects that report a single phase word: {@code status.state.phase} (Volcano {@code Job}) or
 * {@code status.phase} (Argo {@code Workflow} and many simple operators), compared case-insensitively.
 *
 * <p>The table is W&B's, with the "stopping" words mapped to running (the run has not ended yet) and a few more
 * words operators use: created/pending → starting; queued/inqueue/suspended → queued;
 * running/completing/restarting/terminating/aborting → running; succeeded/completed/complete → succeeded;
 * failed/aborted/timeout/terminated/error → failed. Unknown words are reported as starting with the word as reason.
 */
public final class PhaseStatusMapper implements StatusMapper {
    private static final Map<String, RunState> PHASES = Map.ofEntries(
            Map.entry("created", RunState.STARTING), Map.entry("pending", RunState.STARTING),
            Map.entry("queued", RunState.QUEUED), Map.entry("inqueue", RunState.QUEUED),
            Map.entry("suspended", RunState.QUEUED),
            Map.entry("running", RunState.RUNNING), Map.entry("completing", RunState.RUNNING),
            Map.entry("restarting", RunState.RUNNING), Map.entry("terminating", RunState.RUNNING),
            Map.entry("aborting", RunState.RUNNING),
            Map.entry("succeeded", RunState.SUCCEEDED), Map.entry("completed", RunState.SUCCEEDED),
            Map.entry("complete", RunState.SUCCEEDED),
            Map.entry("failed", RunState.FAILED), Map.entry("aborted", RunState.FAILED),
            Map.entry("timeout", RunState.FAILED), Map.entry("terminated", RunState.FAILED),
            Map.entry("error", RunState.FAILED));

    /** Whether the object has a phase this mapper can read. */
    public static boolean hasPhase(JsonNode object) {
        return !phaseNode(object).isMissingNode();
    }

    @Override
    public ObjectStatus map(JsonNode object) {
        JsonNode phaseNode = phaseNode(object);
        String phase = phaseNode.asText("");
        if (phase.isEmpty()) {
            return ObjectStatus.starting();
        }
        RunState state = PHASES.get(phase.toLowerCase(Locale.ROOT));
        String message = message(object);
        if (state == null) {
            return ObjectStatus.starting(phase, message);
        }
        return new ObjectStatus(state, state == RunState.RUNNING && phase.equalsIgnoreCase("running") ? "" : phase,
                state == RunState.RUNNING ? "" : message);
    }

    private static JsonNode phaseNode(JsonNode object) {
        JsonNode status = object.path("status");
        JsonNode nested = status.path("state").path("phase");
        if (nested.isTextual()) {
            return nested;
        }
        JsonNode flat = status.path("phase");
        return flat.isTextual() ? flat : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String message(JsonNode object) {
        JsonNode status = object.path("status");
        for (String path : new String[] {"/state/message", "/message", "/state/reason", "/reason"}) {
            JsonNode m = status.at(path);
            if (m.isTextual() && !m.asText().isBlank()) {
                return m.asText();
            }
        }
        return "";
    }
}
