package dev.launchkit.core.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.config.Quoted;
import java.util.List;

/**
 * Checks the types of the launch-spec fields the agent reads (W&B {@code runSpec}, reference §3.4), so a spec with
 * {@code overrides.args: "--x"} written as a mapping, or an {@code entity} that is a list, fails with the key and
 * line instead of surprising a runner later. Unknown fields are allowed and kept.
 */
public final class SpecValidator {
    private static final List<String> TEXT_FIELDS = List.of("uri", "job", "entity", "project", "author", "name",
            "image_uri", "resource", "run_id", "sweep_id", "python_version");
    private static final List<String> OBJECT_FIELDS = List.of("docker", "git", "resource_args", "overrides",
            "template_variables");

    private SpecValidator() {
    }

    /**
     * Checks a spec that came from a file.
     *
     * @throws ConfigException naming the file, line and key path of the first wrong field
     */
    public static void validate(ConfigNode spec) {
        if (spec.isMissing() || !spec.json().isObject()) {
            throw spec.error("the launch spec must be a mapping of fields (docker, entity, project, overrides, ...)");
        }
        for (String f : TEXT_FIELDS) {
            text(spec.child(f));
        }
        for (String f : OBJECT_FIELDS) {
            object(spec.child(f));
        }
        text(spec.child("docker").child("docker_image"));
        integer(spec.child("docker").child("user_id"));
        ConfigNode args = spec.child("resource_args");
        for (String resource : args.keys()) {
            object(args.child(resource));
        }
        ConfigNode overrides = spec.child("overrides");
        list(overrides.child("args"));
        list(overrides.child("entry_point"));
        for (String f : List.of("run_config", "artifacts", "files")) {
            object(overrides.child(f));
        }
        ConfigNode resume = spec.child("_resume_count");
        integer(resume);
        if (!resume.isMissing() && resume.json().asInt() < 0) {
            throw resume.error("must be 0 or more, got " + resume.json());
        }
        ConfigNode tv = spec.child("template_variables");
        for (String k : tv.keys()) {
            if (tv.child(k).json().isContainerNode()) {
                throw tv.child(k).error("a template variable value must be a string or a number, got "
                        + describe(tv.child(k).json()));
            }
        }
    }

    /**
     * Checks a spec given in code.
     *
     * @throws InvalidItemException naming the key path of the first wrong field
     */
    public static void validate(LaunchSpec spec) {
        try {
            validate(ConfigNode.of(spec.toJson(), "launch spec"));
        } catch (ConfigException e) {
            throw new InvalidItemException(e.getMessage(), e);
        }
    }

    private static void text(ConfigNode n) {
        if (!n.isMissing() && !n.json().isValueNode()) {
            throw n.error("expected a string, got " + describe(n.json()));
        }
    }

    private static void object(ConfigNode n) {
        if (!n.isMissing() && !n.json().isObject()) {
            throw n.error("expected a mapping, got " + describe(n.json()));
        }
    }

    private static void integer(ConfigNode n) {
        if (n.isMissing()) {
            return;
        }
        JsonNode j = n.json();
        if (!(j.isIntegralNumber() || j.isTextual() && j.asText().trim().matches("-?[0-9]+"))) {
            throw n.error("expected an integer, got " + describe(j));
        }
    }

    private static void list(ConfigNode n) {
        if (n.isMissing()) {
            return;
        }
        JsonNode j = n.json();
        if (!j.isArray()) {
            throw n.error("expected a list of strings, got " + describe(j));
        }
        for (int i = 0; i < j.size(); i++) {
            if (!j.get(i).isValueNode() || j.get(i).isNull()) {
                throw n.element(i).error("expected a string, got " + describe(j.get(i)));
            }
        }
    }

    private static String describe(JsonNode n) {
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        return n.isTextual() ? Quoted.of(n.asText()) : n.toString();
    }
}
