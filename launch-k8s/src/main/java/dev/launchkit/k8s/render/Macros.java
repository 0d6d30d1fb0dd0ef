package dev.launchkit.k8s.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SecretMasker;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${name}} macros of queue resource args (reference §4.13): the built-ins {@code project_name},
 * {@code entity_name}, {@code run_id}, {@code run_name}, {@code image_uri}, {@code author}, plus the agent
 * environment variables named in an explicit allow-list — never the whole environment, as W&B does.
 *
 * <p>{@code ${WANDB_API_KEY}} is never substituted, whatever the allow-list says, and neither is any allow-listed
 * variable whose value is a registered secret: resource args that use one are refused ({@link #applyTo}), because
 * left as literal text the run would get a useless token and fail far from the cause. Unknown macros stay as they
 * are; keys are not substituted.
 */
public final class Macros {
    /** The one variable that may never reach a manifest through a macro. */
    public static final String API_KEY_VAR = "WANDB_API_KEY";
    private static final Pattern MACRO = Pattern.compile("\\$\\{(\\w+)}");

    private final Map<String, String> values;
    private final Set<String> secretNames;
    private final SecretMasker masker;

    private Macros(Map<String, String> values, Set<String> secretNames, SecretMasker masker) {
        this.values = Map.copyOf(values);
        this.secretNames = Set.copyOf(secretNames);
        this.masker = masker;
    }

    /**
     * The macros of one run.
     *
     * @param job      the job (entity, project, run id, name, author)
     * @param image    the image the run uses
     * @param allowEnv the agent environment variables that may be substituted
     * @param env      the agent environment
     * @param masker   registered secrets; a variable holding one is not substituted
     */
    public static Macros of(Job job, ImageRef image, Collection<String> allowEnv, Map<String, String> env,
                            SecretMasker masker) {
        Map<String, String> v = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        secrets.add(API_KEY_VAR);
        for (String name : allowEnv) {
            String value = env.get(name);
            if (value != null && !name.equals(API_KEY_VAR) && masker.mask(value).equals(value)) {
                v.put(name, value);
            } else if (value != null) {
                secrets.add(name);
            }
        }
        // Built-ins last, so an allow-listed variable of the same name cannot shadow them.
        v.put("project_name", job.spec().project().orElse(""));
        v.put("entity_name", job.spec().entity().orElse(job.entity()));
        v.put("run_id", job.runId());
        v.put("run_name", job.spec().name().orElse(""));
        v.put("image_uri", image.toString());
        v.put("author", job.spec().author().orElse(""));
        secrets.removeAll(v.keySet());
        return new Macros(v, secrets, masker);
    }

    /** The value a macro name stands for, if it is one. */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The text with every known macro replaced. */
    public String apply(String text) {
        if (text.indexOf("${") < 0) {
            return text;
        }
        Matcher m = MACRO.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Substitutes every string leaf of the resource args {@code tree} in place.
     *
     * @throws LaunchException at stage {@link Stage#AGENT}, naming the key path, when a value uses a macro that
     *                         names a secret ({@code ${WANDB_API_KEY}}, or an allow-listed variable holding one), or
     *                         holds a registered secret as plain text (a {@code WANDB_API_KEY} env entry is exempt:
     *                         the renderer replaces it with the Secret reference)
     */
    public void applyTo(JsonNode tree) {
        refuseSecrets(tree, "resource_args.kubernetes");
        JsonTrees.rewriteStrings(tree, this::apply);
    }

    private void refuseSecrets(JsonNode node, String path) {
        if (node.isTextual()) {
            if (!masker.mask(node.asText()).equals(node.asText())) {
                throw new LaunchException(Stage.AGENT, path + " holds a secret this agent knows (its API key, a "
                        + "registry password or another registered secret) as plain text, which never goes into a "
                        + "manifest. Put it in a Secret and use env valueFrom.secretKeyRef");
            }
            Matcher m = MACRO.matcher(node.asText());
            while (m.find()) {
                if (secretNames.contains(m.group(1))) {
                    throw new LaunchException(Stage.AGENT, path + ": ${" + m.group(1) + "} names a secret, which "
                            + "LaunchKit never puts into a manifest. Remove the macro: runs already get WANDB_API_KEY "
                            + "from a Secret; pass other secrets with env valueFrom.secretKeyRef");
                }
            }
        } else if (node.isObject()) {
            node.properties().forEach(e -> refuseSecrets(e.getValue(), path + "." + e.getKey()));
        } else if (node.isArray()) {
            boolean env = path.endsWith(".env");
            for (int i = 0; i < node.size(); i++) {
                if (env && API_KEY_VAR.equals(node.get(i).path("name").asText())) {
                    continue;
                }
                refuseSecrets(node.get(i), path + "[" + i + "]");
            }
        }
    }
}
