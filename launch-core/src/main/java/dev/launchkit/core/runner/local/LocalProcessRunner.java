package dev.launchkit.core.runner.local;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Runner;
import dev.launchkit.core.Stage;
import dev.launchkit.core.SubmittedRun;
import dev.launchkit.core.run.RunEnvVar;
import dev.launchkit.core.run.RunEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local-process} runner: runs a job's command as a child process of the agent.
 *
 * <p>The command is the spec's {@code overrides.entry_point} (else the source's entrypoint) followed by
 * {@code overrides.args}. The process gets the agent's environment (unless {@code inherit_env: false}), the
 * configured extra variables and the {@code WANDB_*} variables every launched run gets ({@link RunEnvironment}),
 * including {@code WANDB_API_KEY}: a process environment is private to the process and its user, and the key is
 * registered with the agent's masker so it never reaches a log line. The image is not used (a local process runs on
 * this machine); it is passed on as {@code WANDB_DOCKER} for image jobs.
 *
 * <p>Processes are children of the agent: {@link #adopt()} finds none after a restart, and {@link #close()} stops
 * the ones still running, because no later agent could follow them. (If the agent is killed outright, its children
 * are orphaned and keep running; their queue items stay in the queue's running state, where a directory queue keeps
 * them for {@code recover} or {@code release}.)
 *
 * <p>Thread-safe; submitting the same run id twice returns the first run.
 */
public final class LocalProcessRunner implements Runner {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessRunner.class);

    private final LaunchContext context;
    private final LocalProcessOptions options;
    private final Map<String, LocalProcessRun> runs = new ConcurrentHashMap<>();

    public LocalProcessRunner(LaunchContext context, LocalProcessOptions options) {
        this.context = java.util.Objects.requireNonNull(context, "context");
        this.options = java.util.Objects.requireNonNull(options, "options");
    }

    @Override
    public String type() {
        return "local-process";
    }

    /**
     * Starts the job's process.
     *
     * @throws LaunchException at stage agent when the spec names no command or the working directory is missing, at
     *                         stage run when the process cannot be started
     */
    @Override
    public SubmittedRun submit(Job job, ImageRef image) {
        synchronized (runs) {
            LocalProcessRun existing = runs.get(job.runId());
            if (existing != null) {
                return existing;
            }
            LocalProcessRun run = start(job, image);
            runs.put(job.runId(), run);
            run.completion().whenComplete((s, e) -> runs.remove(job.runId(), run));
            run.follow();
            return run;
        }
    }

    private LocalProcessRun start(Job job, ImageRef image) {
        List<String> command = new ArrayList<>(job.spec().entryPoint().isEmpty() ? job.source().entrypoint()
                : job.spec().entryPoint());
        if (command.isEmpty()) {
            throw new LaunchException(Stage.AGENT, "the local-process runner needs a command: set "
                    + "overrides.entry_point in the launch spec (for example [\"python\", \"train.py\"])");
        }
        command.addAll(job.spec().args());
        Path dir = workingDirectory(job);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment(job, image));
        try {
            Process p = pb.start();
            LOG.info("started run {} as process {}: {} (in {})", job.runId(), p.pid(),
                    context.masker().mask(String.join(" ", command)), dir);
            return new LocalProcessRun(job, p, context.masker(), context.clock(), options.logTailLines(),
                    options.cancelGrace(), context.scheduler());
        } catch (IOException e) {
            throw new LaunchException(Stage.RUN, "could not start '" + context.masker().mask(command.get(0))
                    + "' in " + dir + ": " + context.masker().mask(String.valueOf(e.getMessage())), e);
        }
    }

    private Path workingDirectory(Job job) {
        Path dir = options.workingDirectory();
        if (job.source() instanceof JobSource.Code code) {
            dir = code.buildContext().isEmpty() ? code.directory() : code.directory().resolve(code.buildContext());
        }
        if (!Files.isDirectory(dir)) {
            throw new LaunchException(Stage.AGENT, "the working directory " + dir.toAbsolutePath() + " does not "
                    + "exist; create it or set runners.local-process.working_dir");
        }
        return dir;
    }

    /** The process environment: agent's (if inherited), extra, then {@code WANDB_*}; secrets registered. */
    Map<String, String> environment(Job job, ImageRef image) {
        Map<String, String> env = new LinkedHashMap<>();
        if (options.inheritEnv()) {
            env.putAll(context.env());
        }
        env.putAll(options.extraEnv());
        Optional<String> imageName = job.source() instanceof JobSource.Image ? Optional.of(image.toString())
                : Optional.empty();
        for (RunEnvVar v : RunEnvironment.variables(job, imageName, context.env())) {
            if (v.secret()) {
                context.masker().register(v.value());
            }
            env.put(v.name(), v.value());
        }
        return env;
    }

    /** None: processes do not outlive the agent that started them. */
    @Override
    public List<SubmittedRun> adopt() {
        return List.of();
    }

    /** The runs still going. */
    public List<SubmittedRun> active() {
        return List.copyOf(runs.values());
    }

    /** Kills the processes still running (they report stopped); see the class comment for why. */
    @Override
    public void close() {
        for (LocalProcessRun run : List.copyOf(runs.values())) {
            LOG.info("agent closing: stopping {}", run);
            run.kill();
        }
    }
}
