package dev.launchkit.k8s.monitor.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reading of the {@code status.conditions[]} list most Kubernetes objects carry. */
final class Conditions {

    /** One condition whose {@code status} is {@code "True"}. */
    record Condition(String type, String reason, String message, String lastTransitionTime) {
    }

    private Conditions() {
    }

    /** The conditions of the object whose status is {@code True}, in document order. */
    static List<Condition> trueConditions(JsonNode object) {
        List<Condition> out = new ArrayList<>();
        for (JsonNode c : object.path("status").path("conditions")) {
            if ("true".equalsIgnoreCase(c.path("status").asText())) {
                out.add(new Condition(c.path("type").asText(""), c.path("reason").asText(""),
                        c.path("message").asText(""), c.path("lastTransitionTime").asText("")));
            }
        }
        return out;
    }

    /** The first true condition of the given type (case-insensitive). */
    static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.type().equalsIgnoreCase(type)).findFirst();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
