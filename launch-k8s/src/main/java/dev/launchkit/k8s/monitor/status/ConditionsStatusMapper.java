package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.RunState;
import dev.launchkit.k8s.monitor.status.Conditions.Condition;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps objects that report their state only as {@code status.conditions[]} (Kubeflow training operators:
 * {@code PyTorchJob}, {@code TFJob}, {@code MPIJob}, ...; Kubeflow Trainer {@code TrainJob}).
 *
 * <p>Only conditions with {@code status: "True"} count. Types: Succeeded/Complete/Completed → succeeded;
 * Failed → failed (with the condition's reason and message); Suspended/Queued → queued; Running → running;
 * Created/Pending/Restarting → starting. A terminal condition always wins over a non-terminal one; among
 * several of the same group the one with the latest {@code lastTransitionTime} wins, because operators do not
 * always reset the previous condition to False.
 */
public final class ConditionsStatusMapper implements StatusMapper {
    private static final Map<String, RunState> TYPES = Map.of(
            "succeeded", RunState.SUCCEEDED, "complete", RunState.SUCCEEDED, "completed", RunState.SUCCEEDED,
            "failed", RunState.FAILED,
            "suspended", RunState.QUEUED,
            "running", RunState.RUNNING,
            "created", RunState.STARTING, "pending", RunState.STARTING, "restarting", RunState.STARTING,
            "queued", RunState.QUEUED);

    /** Whether the object has any condition. */
    public static boolean hasConditions(JsonNode object) {
        return object.path("status").path("conditions").size() > 0;
    }

    @Override
    public ObjectStatus map(JsonNode object) {
        List<Condition> known = Conditions.trueConditions(object).stream()
                .filter(c -> TYPES.containsKey(c.type().toLowerCase(Locale.ROOT))).toList();
        Optional<Condition> terminal = latest(known.stream().filter(c -> state(c).isTerminal()).toList());
        Condition chosen = terminal.orElseGet(() -> latest(known).orElse(null));
        if (chosen == null) {
            return ObjectStatus.starting();
        }
        RunState state = state(chosen);
        String reason = chosen.reason().isEmpty() ? chosen.type() : chosen.reason();
        return switch (state) {
            case RUNNING -> ObjectStatus.running();
            case STARTING -> ObjectStatus.starting(chosen.type().equalsIgnoreCase("created") ? "" : reason,
                    chosen.message());
            default -> new ObjectStatus(state, reason, chosen.message());
        };
    }

    private static RunState state(Condition c) {
        return TYPES.get(c.type().toLowerCase(Locale.ROOT));
    }

    /**
     * The condition with the latest transition time (RFC 3339 strings in UTC compare correctly as text); on a tie
     * failed beats succeeded and running beats the rest, so the more cautious reading wins.
     */
    private static Optional<Condition> latest(List<Condition> conditions) {
        return conditions.stream().max(Comparator.comparing(Condition::lastTransitionTime)
                .thenComparing(c -> rank(state(c))));
    }

    private static int rank(RunState s) {
        return switch (s) {
            case FAILED -> 5;
            case SUCCEEDED -> 4;
            case RUNNING -> 3;
            case QUEUED -> 2;
            default -> 1;
        };
    }
}
