package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.k8s.monitor.status.Conditions.Condition;
import java.util.List;
import java.util.Optional;

/**
 * Maps a {@code jobset.x-k8s.io} {@code JobSet}: {@code status.terminalState} or the {@code Completed} /
 * {@code Failed} conditions decide the outcome; {@code status.replicatedJobsStatus[].ready} says whether it runs.
 *
 * <p>W&B read a {@code ReplicatedJobsStatus} key that real JobSets never write (they use the camelCase list), and
 * let any phase or condition overwrite it; this mapper reads the fields JobSet actually sets.
 */
public final class JobSetStatusMapper implements StatusMapper {

    @Override
    public ObjectStatus map(JsonNode jobSet) {
        List<Condition> conditions = Conditions.trueConditions(jobSet);
        Optional<Condition> failed = Conditions.find(conditions, "Failed");
        String terminalState = jobSet.path("status").path("terminalState").asText("");
        if (failed.isPresent() || terminalState.equalsIgnoreCase("Failed")) {
            return failed.map(c -> ObjectStatus.failed(c.reason().isEmpty() ? "Failed" : c.reason(), c.message()))
                    .orElse(ObjectStatus.failed("Failed", "the JobSet failed"));
        }
        Optional<Condition> completed = Conditions.find(conditions, "Completed");
        if (completed.isPresent() || terminalState.equalsIgnoreCase("Completed")) {
            return ObjectStatus.succeeded("Completed", completed.map(Condition::message).orElse(""));
        }
        int ready = 0;
        int active = 0;
        for (JsonNode replicated : jobSet.path("status").path("replicatedJobsStatus")) {
            ready += replicated.path("ready").asInt(0);
            active += replicated.path("active").asInt(0);
        }
        if (ready > 0) {
            return ObjectStatus.running();
        }
        return active > 0 ? ObjectStatus.starting("", active + " child Jobs active, none ready yet")
                : ObjectStatus.starting();
    }
}
