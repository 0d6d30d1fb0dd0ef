package dev.launchkit.testkit.wandb;

/**
 * A W&B run as the {@link FakeWandbServer} holds it (what {@code RunState} and {@code RunStoppedStatus} read).
 *
 * @param entity  the entity
 * @param project the project
 * @param name    the run id
 * @param state   {@code pending}, {@code running}, {@code finished}, {@code failed}, {@code crashed}, ...
 * @param stopped whether a user pressed stop
 */
public record RunView(String entity, String project, String name, String state, boolean stopped) {
}
