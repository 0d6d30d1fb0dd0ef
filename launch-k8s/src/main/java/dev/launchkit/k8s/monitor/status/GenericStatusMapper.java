package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The mapper for kinds nobody registered: a phase word if the object has one ({@code status.state.phase} or
 * {@code status.phase}), otherwise its conditions, otherwise starting. This is W&B's CRD behaviour, minus the
 * JobSet branch that never matched real objects.
 */
public final class GenericStatusMapper implements StatusMapper {
    private final PhaseStatusMapper phase = new PhaseStatusMapper();
    private final ConditionsStatusMapper conditions = new ConditionsStatusMapper();

    @Override
    public ObjectStatus map(JsonNode object) {
        if (PhaseStatusMapper.hasPhase(object)) {
            return phase.map(object);
        }
        if (ConditionsStatusMapper.hasConditions(object)) {
            return conditions.map(object);
        }
        return ObjectStatus.starting();
    }
}
