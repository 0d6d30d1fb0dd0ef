package dev.launchkit.k8s;

/**
 * Label and annotation keys the runner puts on every object it creates and on every pod template inside it.
 *
 * <p>The W&B keys keep kubectl habits and dashboards working; the LaunchKit keys let a restarted agent find its
 * runs (by owner label, not by agent instance name) and report them to the right queue item.
 */
public final class Labels {
    /** W&B run id (label). */
    public static final String RUN_ID = "wandb.ai/run-id";
    /** {@code true} on everything the monitor watches (label). */
    public static final String MONITOR = "wandb.ai/monitor";
    /** The agent instance name (label), informational. */
    public static final String AGENT = "wandb.ai/agent";
    /** Set by W&B on secrets the agent created (label). */
    public static final String CREATED_BY = "wandb.ai/created-by";
    /**
     * The agent deployment that owns the run (label): stable across restarts (Helm release name or configured
     * owner), unlike the agent instance name.
     */
    public static final String OWNER = "launchkit.dev/owner";
    /** The queue name (annotation; may not be a valid label value). */
    public static final String QUEUE = "launchkit.dev/queue";
    /** The queue item id (annotation; W&B ids contain '=' and are not valid label values). */
    public static final String ITEM_ID = "launchkit.dev/item-id";
    /** The queue's entity (annotation). */
    public static final String ENTITY = "launchkit.dev/entity";

    private Labels() {
    }
}
