package dev.launchkit.builder.kaniko.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Chooses the Dockerfile and lays out the build context the way the W&B agent does (first match wins):
 * <ol>
 *   <li>{@code overrides.dockerfile}: the build root plus that file as {@code Dockerfile.wandb};</li>
 *   <li>the job's Dockerfile: the same;</li>
 *   <li>a {@code Dockerfile.wandb} next to the entrypoint file: the entrypoint's directory is the context;</li>
 *   <li>otherwise a generated Python Dockerfile ({@link PythonDockerfile}), with the code under {@code src/} and
 *       dependencies from {@code requirements.txt}, {@code pyproject.toml} ({@code [project].dependencies}) or
 *       {@code requirements.frozen.txt}.</li>
 * </ol>
 *
 * <p>Stateless and thread-safe.
 */
public final class ContextPlanner {
    private static final Pattern WANDB_REQUIREMENT = Pattern.compile("(?m)^\\s*wandb(\\s|\\[|[<>=!~;]|$)");
    private final TomlMapper toml = new TomlMapper();

    /**
     * Plans the context for one job.
     *
     * @throws LaunchException at stage {@link Stage#BUILD} naming the path when the build context or a named
     *                         Dockerfile does not exist in the source
     */
    public ContextPlan plan(ContextRequest request) {
        Path project = request.projectDir().toAbsolutePath().normalize();
        Path root = inside(project, request.buildContext(), "build_context");
        if (!Files.isDirectory(root)) {
            throw new LaunchException(Stage.BUILD, "the job's build_context '" + request.buildContext()
                    + "' is not a directory of the source; fix build_context or the source");
        }
        if (!request.overrideDockerfile().isEmpty()) {
            return withDockerfile(root, request.overrideDockerfile(), "overrides.dockerfile", ContextPlan.Origin.OVERRIDE);
        }
        if (!request.jobDockerfile().isEmpty()) {
            return withDockerfile(root, request.jobDockerfile(), "the job's dockerfile", ContextPlan.Origin.JOB);
        }
        Path entryDir = entrypointDirectory(root, request.entrypoint());
        if (entryDir != null && Files.isRegularFile(entryDir.resolve(ContextPlan.DOCKERFILE))) {
            ContextTree tree = ContextTree.builder().addDirectory("", entryDir).build();
            return new ContextPlan(tree, ContextPlan.Origin.ENTRYPOINT_DIRECTORY,
                    read(entryDir.resolve(ContextPlan.DOCKERFILE)), List.of());
        }
        return generate(root, request);
    }

    private ContextPlan withDockerfile(Path root, String dockerfile, String what, ContextPlan.Origin origin) {
        Path file = inside(root, dockerfile, what);
        if (!Files.isRegularFile(file)) {
            throw new LaunchException(Stage.BUILD, what + " '" + dockerfile + "' was not found in the source (looked for "
                    + root.relativize(file) + " under the build root); fix the path or add the file");
        }
        ContextTree tree = ContextTree.builder().addDirectory("", root).addFile(ContextPlan.DOCKERFILE, file).build();
        return new ContextPlan(tree, origin, read(file), List.of());
    }

    private ContextPlan generate(Path root, ContextRequest request) {
        List<String> notes = new ArrayList<>();
        ContextTree.Builder tree = ContextTree.builder().addDirectory("src", root);
        PythonDockerfile.Requirements mode;
        Path requirements = root.resolve("requirements.txt");
        if (Files.isRegularFile(requirements)) {
            mode = PythonDockerfile.Requirements.REQUIREMENTS_TXT;
            if (!WANDB_REQUIREMENT.matcher(read(requirements).toLowerCase(Locale.ROOT)).find()) {
                notes.add("requirements.txt does not list wandb; the run cannot log to W&B unless the image has it");
            }
        } else if (Files.isRegularFile(root.resolve("pyproject.toml"))
                && !pyprojectDependencies(root.resolve("pyproject.toml")).isEmpty()) {
            mode = PythonDockerfile.Requirements.REQUIREMENTS_TXT;
            List<String> deps = pyprojectDependencies(root.resolve("pyproject.toml"));
            tree.addGenerated("src/requirements.txt", String.join("\n", deps) + "\n");
            notes.add("installing the " + deps.size() + " [project].dependencies of pyproject.toml");
        } else if (Files.isRegularFile(root.resolve("requirements.frozen.txt"))) {
            mode = PythonDockerfile.Requirements.FROZEN;
            tree.addGenerated(PythonDockerfile.BOOTSTRAP, bootstrap(), false);
        } else {
            mode = PythonDockerfile.Requirements.NONE;
            notes.add("no requirements file found (requirements.txt, pyproject.toml or requirements.frozen.txt); "
                    + "the image gets no Python packages beyond the base image");
        }
        String dockerfile = new PythonDockerfile(request.pythonVersion(), request.baseImage(), mode,
                request.userId(), request.entrypoint()).render();
        tree.addGenerated(ContextPlan.DOCKERFILE, dockerfile);
        return new ContextPlan(tree.build(), ContextPlan.Origin.GENERATED, dockerfile, notes);
    }

    /** {@code [project].dependencies} of a pyproject.toml; empty when there are none. */
    List<String> pyprojectDependencies(Path pyproject) {
        JsonNode deps;
        try {
            deps = toml.readTree(pyproject.toFile()).path("project").path("dependencies");
        } catch (IOException e) {
            throw new LaunchException(Stage.BUILD, "pyproject.toml of the source is not valid TOML: " + e.getMessage()
                    + "; fix it, or add a requirements.txt", e);
        }
        List<String> out = new ArrayList<>();
        deps.forEach(d -> out.add(d.asText()));
        return out;
    }

    /**
     * The directory of the entrypoint's script: its first element when that ends in .py or .sh, else its second (the
     * W&B rule, for {@code python train.py}); {@code null} when there is none inside the build root.
     */
    private static Path entrypointDirectory(Path root, List<String> entrypoint) {
        String script = null;
        if (!entrypoint.isEmpty() && isScript(entrypoint.get(0))) {
            script = entrypoint.get(0);
        } else if (entrypoint.size() > 1 && isScript(entrypoint.get(1))) {
            script = entrypoint.get(1);
        }
        if (script == null) {
            return null;
        }
        Path file = root.resolve(script).normalize();
        Path dir = file.getParent();
        return dir != null && dir.startsWith(root) ? dir : null;
    }

    private static boolean isScript(String s) {
        return s.endsWith(".py") || s.endsWith(".sh");
    }

    private static Path inside(Path base, String relative, String what) {
        Path p = base.resolve(relative).normalize();
        if (!p.startsWith(base)) {
            throw new LaunchException(Stage.BUILD, what + " '" + relative + "' points outside the source; use a path "
                    + "inside the repository");
        }
        return p;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bootstrap() {
        try (InputStream in = ContextPlanner.class.getResourceAsStream(PythonDockerfile.BOOTSTRAP)) {
            if (in == null) {
                throw new IllegalStateException(PythonDockerfile.BOOTSTRAP + " is missing from the kaniko builder jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bootstrap script: " + e.getMessage(), e);
        }
    }
}
