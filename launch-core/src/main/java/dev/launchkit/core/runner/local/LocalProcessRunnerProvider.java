package dev.launchkit.core.runner.local;

import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Runner;
import dev.launchkit.core.RunnerProvider;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code local-process} runner ({@code resource: local-process}).
 *
 * <pre>
 * runners:
 *   local-process:
 *     working_dir: /srv/jobs     # where processes run (default: the agent's current directory)
 *     log_tail_lines: 200        # output lines kept for failure messages
 *     cancel_grace_ms: 5000      # SIGTERM, then SIGKILL after this long
 *     inherit_env: true          # start from the agent's environment
 *     env: {OMP_NUM_THREADS: "4"}
 * </pre>
 */
public final class LocalProcessRunnerProvider implements RunnerProvider {

    @Override
    public String type() {
        return "local-process";
    }

    @Override
    public Runner create(ConfigNode config, LaunchContext context) {
        return new LocalProcessRunner(context, options(config));
    }

    /**
     * The options a runner block describes.
     *
     * @throws dev.launchkit.core.ConfigException naming the key of a wrong value
     */
    public static LocalProcessOptions options(ConfigNode config) {
        LocalProcessOptions d = LocalProcessOptions.defaults();
        Path dir = d.workingDirectory();
        if (config.optString("working_dir").isPresent()) {
            String raw = config.optString("working_dir").get();
            try {
                dir = Path.of(raw);
            } catch (InvalidPathException e) {
                throw config.child("working_dir").error("'" + raw + "' is not a valid path: " + e.getReason());
            }
            if (!Files.isDirectory(dir)) {
                throw config.child("working_dir").error("'" + raw + "' is not an existing directory; create it or "
                        + "point working_dir at one");
            }
        }
        int lines = config.integer("log_tail_lines", d.logTailLines());
        if (lines < 1) {
            throw config.child("log_tail_lines").error("must be at least 1, got " + lines);
        }
        int grace = config.integer("cancel_grace_ms", (int) d.cancelGrace().toMillis());
        if (grace < 0) {
            throw config.child("cancel_grace_ms").error("must be 0 or more, got " + grace);
        }
        return new LocalProcessOptions(dir, lines, Duration.ofMillis(grace), config.stringMap("env"),
                config.bool("inherit_env", true));
    }
}
