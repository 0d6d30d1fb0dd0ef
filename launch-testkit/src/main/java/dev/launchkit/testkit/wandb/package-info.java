/**
 * {@link dev.launchkit.testkit.wandb.FakeWandbServer}: an in-process W&B launch server for tests, with recorded
 * calls and injectable faults. See {@code launch-testkit/WANDB-FAKE.md}.
 */
package dev.launchkit.testkit.wandb;
