package dev.launchkit.wandb.admin;

/** Item priorities of prioritised queues ({@code prioritizationMode: V0}); lower values pop first. */
public enum Priority {
    CRITICAL(0),
    HIGH(1),
    /** The default (and what sweeps use). */
    MEDIUM(2),
    LOW(3);

    private final int value;

    Priority(int value) {
        this.value = value;
    }

    /** The value sent as {@code priority}. */
    public int value() {
        return value;
    }
}
