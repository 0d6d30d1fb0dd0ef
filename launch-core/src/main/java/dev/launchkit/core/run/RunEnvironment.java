package dev.launchkit.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code WANDB_*} variables every launched run gets, in the order the W&B agent adds them
 * (reference: launch agent §4.4.5). Shared by all runners so a run sees the same environment wherever it runs.
 */
public final class RunEnvironment {
    /** Longest value of one variable before it is split into {@code NAME_0}, {@code NAME_1}, ... */
    public static final int MAX_VALUE_LENGTH = 32_670;
    public static final String DEFAULT_BASE_URL = "https://api.wandb.ai";

    private RunEnvironment() {
    }

    /**
     * The variables for a run.
     *
     * @param job      the job (spec, queue, item id, run id)
     * @param image    the image the run uses; empty for runs without one
     * @param agentEnv the agent's environment: {@code WANDB_BASE_URL}, {@code WANDB_API_KEY}
     */
    public static List<RunEnvVar> variables(Job job, Optional<String> image, Map<String, String> agentEnv) {
        LaunchSpec spec = job.spec();
        List<RunEnvVar> out = new ArrayList<>();
        out.add(plain("WANDB_BASE_URL", agentEnv.getOrDefault("WANDB_BASE_URL", DEFAULT_BASE_URL)));
        Optional<String> key = spec.wandbApiKey().or(() -> Optional.ofNullable(agentEnv.get("WANDB_API_KEY"))
                .filter(k -> !k.isBlank()));
        key.ifPresent(k -> out.add(new RunEnvVar("WANDB_API_KEY", k, true)));
        spec.project().ifPresent(p -> out.add(plain("WANDB_PROJECT", p)));
        out.add(plain("WANDB_ENTITY", spec.entity().orElse(job.entity())));
        out.add(plain("WANDB_LAUNCH", "True"));
        out.add(plain("WANDB_RUN_ID", job.runId()));
        if (job.source() instanceof JobSource.Image || spec.dockerImage().isPresent()) {
            image.ifPresent(i -> out.add(plain("WANDB_DOCKER", i)));
        }
        spec.name().ifPresent(n -> out.add(plain("WANDB_NAME", n)));
        if (spec.wandbApiKey().isEmpty()) {
            spec.author().ifPresent(a -> out.add(plain("WANDB_USERNAME", a)));
        }
        spec.sweepId().ifPresent(s -> out.add(plain("WANDB_SWEEP_ID", s)));
        if (spec.resumeCount() > 0) {
            out.add(plain("WANDB_RESUME", "allow"));
        }
        out.add(plain("WANDB_LAUNCH_QUEUE_NAME", job.queueName()));
        out.add(plain("WANDB_LAUNCH_QUEUE_ENTITY", job.entity()));
        out.add(plain("WANDB_LAUNCH_TRACE_ID", job.itemId()));
        ObjectNode runConfig = spec.runConfig();
        if (!runConfig.isEmpty()) {
            out.addAll(chunked("WANDB_CONFIG", runConfig.toString()));
        }
        ObjectNode files = spec.files();
        if (!files.isEmpty()) {
            out.addAll(chunked("WANDB_LAUNCH_FILE_OVERRIDES", files.toString()));
        }
        ObjectNode artifacts = spec.artifacts();
        ObjectNode all = artifacts.objectNode();
        spec.job().ifPresent(j -> all.put("_wandb_job", j));
        all.setAll(artifacts);
        out.add(plain("WANDB_ARTIFACTS", all.toString()));
        return List.copyOf(out);
    }

    /** {@code name=value}, or {@code name_0, name_1, ...} when the value is longer than {@link #MAX_VALUE_LENGTH}. */
    public static List<RunEnvVar> chunked(String name, String value) {
        if (value.length() <= MAX_VALUE_LENGTH) {
            return List.of(plain(name, value));
        }
        List<RunEnvVar> out = new ArrayList<>();
        for (int i = 0, n = 0; i < value.length(); i += MAX_VALUE_LENGTH, n++) {
            out.add(plain(name + "_" + n, value.substring(i, Math.min(value.length(), i + MAX_VALUE_LENGTH))));
        }
        return out;
    }

    private static RunEnvVar plain(String name, String value) {
        return new RunEnvVar(name, value, false);
    }
}
