package dev.launchkit.core.runner.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the {@code local-process} runner starts processes.
 *
 * @param workingDirectory the directory processes run in (jobs with a code source run in their code directory)
 * @param logTailLines     how many of the last output lines {@link LocalProcessRun#logTail()} keeps
 * @param cancelGrace      how long a cancelled process tree gets after SIGTERM before it is killed
 * @param extraEnv         variables added to every process (after the agent's, before the {@code WANDB_*} ones)
 * @param inheritEnv       whether processes start with the agent's environment ({@code PATH}, {@code HOME}, ...)
 */
public record LocalProcessOptions(Path workingDirectory, int logTailLines, Duration cancelGrace,
                                  Map<String, String> extraEnv, boolean inheritEnv) {
    public LocalProcessOptions {
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        if (logTailLines < 1) {
            throw new IllegalArgumentException("logTailLines must be at least 1, got " + logTailLines);
        }
        Objects.requireNonNull(cancelGrace, "cancelGrace");
        extraEnv = Map.copyOf(extraEnv == null ? Map.of() : extraEnv);
    }

    /** The current directory, 200 lines of tail, 5 s grace, the agent's environment. */
    public static LocalProcessOptions defaults() {
        return new LocalProcessOptions(Path.of("."), 200, Duration.ofSeconds(5), Map.of(), true);
    }

    public LocalProcessOptions withWorkingDirectory(Path dir) {
        return new LocalProcessOptions(dir, logTailLines, cancelGrace, extraEnv, inheritEnv);
    }

    public LocalProcessOptions withCancelGrace(Duration grace) {
        return new LocalProcessOptions(workingDirectory, logTailLines, grace, extraEnv, inheritEnv);
    }

    public LocalProcessOptions withLogTailLines(int lines) {
        return new LocalProcessOptions(workingDirectory, lines, cancelGrace, extraEnv, inheritEnv);
    }

    public LocalProcessOptions withExtraEnv(Map<String, String> env) {
        return new LocalProcessOptions(workingDirectory, logTailLines, cancelGrace, env, inheritEnv);
    }
}
