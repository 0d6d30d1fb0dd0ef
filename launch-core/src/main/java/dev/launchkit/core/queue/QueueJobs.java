package dev.launchkit.core.queue;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Turns a popped item into a {@link Job} the same way for every embedded queue: the run id is the spec's
 * {@code run_id} or a new W&B-style id, the source comes from {@link JobSource#fromSpec}.
 */
public final class QueueJobs {
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** Length of W&B run ids. */
    public static final int RUN_ID_LENGTH = 8;

    private QueueJobs() {
    }

    /** A W&B-style run id: 8 characters of {@code [a-z0-9]}. */
    public static String newRunId(RandomGenerator random) {
        StringBuilder sb = new StringBuilder(RUN_ID_LENGTH);
        for (int i = 0; i < RUN_ID_LENGTH; i++) {
            sb.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return sb.toString();
    }

    /**
     * The job for an item.
     *
     * @param runId the run id to use; empty to take the spec's {@code run_id} or generate one
     * @throws LaunchException at stage agent when the spec names no usable source
     */
    public static Job create(String itemId, String queue, String entity, LaunchSpec spec, String runId,
                             RandomGenerator random, Map<String, String> attributes) {
        String id = !runId.isEmpty() ? runId : spec.runId().orElseGet(() -> newRunId(random));
        LaunchSpec withId = spec.withRunId(id);
        JobSource source = JobSource.fromSpec(withId);
        String owner = !entity.isEmpty() ? entity : withId.entity().orElse("");
        return new Job(itemId, queue, owner, withId, source, id, attributes);
    }

    /**
     * The spec that resumes a preempted job's run, as the W&B agent builds it: same {@code run_id},
     * {@code _resume_count} plus one, no {@code sweep_id} (so the resumed run is allowed after the sweep ended).
     */
    public static LaunchSpec resumeSpec(Job job) {
        LaunchSpec spec = job.spec().withRunId(job.runId());
        com.fasterxml.jackson.databind.node.ObjectNode json = spec.toJson();
        json.put("_resume_count", spec.resumeCount() + 1);
        json.remove("sweep_id");
        return LaunchSpec.of(json);
    }
}
