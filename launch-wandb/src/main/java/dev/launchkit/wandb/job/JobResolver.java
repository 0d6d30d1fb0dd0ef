package dev.launchkit.wandb.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import dev.launchkit.wandb.client.Operations;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a W&B job ({@code runSpec.job}) to a source, as the Python agent's {@code _fetch_job} does
 * (reference: wandb-launch-agent.md §3.5, §7):
 *
 * <ol>
 *   <li>{@code ArtifactMembershipByName} finds the job artifact version ({@code type: job});</li>
 *   <li>its files are downloaded over the signed URLs W&B hands out ({@code FetchArtifactManifest},
 *       {@code GetArtifactFileUrls});</li>
 *   <li>{@code wandb-job.json} decides the source: {@code image} → {@link JobSource.Image}; {@code repo} →
 *       {@link JobSource.Git}; {@code artifact} → the code artifact ({@code ArtifactByID} for
 *       {@code wandb-artifact://_id/<id>}, else by name) is downloaded into a directory → {@link JobSource.Code},
 *       with {@code requirements.frozen.txt} copied next to the code.</li>
 * </ol>
 *
 * <p>Every failure is a {@link LaunchException} at stage {@code agent} naming the job and the server.
 */
public final class JobResolver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FROZEN = "requirements.frozen.txt";
    private static final String DIFF = "diff.patch";

    private final WandbClient client;
    private final SecretMasker masker;
    private final ArtifactFiles files;

    public JobResolver(WandbClient client, SecretMasker masker) {
        this.client = client;
        this.masker = masker;
        this.files = new ArtifactFiles(client);
    }

    /**
     * Resolves the job, downloading into {@code workDir} ({@code job/} for the job artifact, {@code code/} for a
     * code artifact).
     *
     * @throws LaunchException at stage {@code agent} when the job cannot be found, downloaded or read
     */
    public ResolvedJob resolve(JobRequest request, Path workDir) {
        ArtifactName name;
        try {
            name = ArtifactName.parse(request.job(), request.entity(), request.project());
        } catch (IllegalArgumentException e) {
            throw new LaunchException(Stage.AGENT, "job: " + e.getMessage());
        }
        try {
            return resolve(name, request, workDir);
        } catch (WandbException e) {
            throw new LaunchException(Stage.AGENT, "Error accessing job " + name + ": " + masker.mask(e.getMessage())
                    + " on " + client.baseUrl(), e);
        }
    }

    private ResolvedJob resolve(ArtifactName name, JobRequest request, Path workDir) {
        JsonNode artifact = membership(name).orElseThrow(() -> new LaunchException(Stage.AGENT, "job artifact "
                + name + " was not found on " + client.baseUrl() + ": check the job name in the launch spec, and that "
                + "the agent's API key can read project " + name.entity() + "/" + name.project()));
        String type = artifact.path("artifactType").path("name").asText("");
        if (!type.equals("job")) {
            throw new LaunchException(Stage.AGENT, name + " is a " + (type.isEmpty() ? "untyped" : "'" + type + "'")
                    + " artifact, not a job; runSpec.job must name an artifact of type job");
        }
        if (artifact.path("state").asText("").equals("DELETED")) {
            throw new LaunchException(Stage.AGENT, "job artifact " + name + " was deleted");
        }
        Path jobDir = workDir.resolve("job");
        files.download(artifact.path("id").asText(), name.toString(), jobDir);
        Path jobFile = jobDir.resolve("wandb-job.json");
        if (!Files.isRegularFile(jobFile)) {
            throw new LaunchException(Stage.AGENT, "job artifact " + name + " has no wandb-job.json");
        }
        JobArtifact job;
        try {
            job = JobArtifact.of(JSON.readTree(jobFile.toFile()));
        } catch (IOException | IllegalArgumentException e) {
            throw new LaunchException(Stage.AGENT, "the wandb-job.json of job " + name + " cannot be read: "
                    + e.getMessage());
        }
        List<String> entrypoint = request.entrypointOverride().isEmpty() ? job.entrypoint()
                : request.entrypointOverride();
        if (job.notebook() && request.entrypointOverride().isEmpty()) {
            throw new LaunchException(Stage.AGENT, "job " + name + " is a notebook job (" + String.join(" ", entrypoint)
                    + "); LaunchKit does not convert notebooks to scripts. Create the job from a .py entry point, or "
                    + "set overrides.entry_point");
        }
        JobSource source = switch (job.sourceType()) {
            case "image" -> image(name, job, entrypoint);
            case "repo" -> git(name, job, entrypoint);
            case "artifact" -> code(name, job, entrypoint, jobDir, workDir.resolve("code"));
            default -> throw new LaunchException(Stage.AGENT, "job " + name + " has source_type '" + job.sourceType()
                    + "'; LaunchKit knows image, repo and artifact jobs");
        };
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("wandb.job", name.toString());
        attrs.put("wandb.job_dir", jobDir.toString());
        if (!job.runtime().isEmpty()) {
            attrs.put("runtime", job.runtime());
            attrs.put("python_version", job.runtime());
        }
        if (Files.isRegularFile(jobDir.resolve(DIFF))) {
            attrs.put("wandb.diff_patch", jobDir.resolve(DIFF).toString());
        }
        if (Files.isRegularFile(jobDir.resolve(FROZEN))) {
            attrs.put("wandb.requirements_frozen", jobDir.resolve(FROZEN).toString());
        }
        return new ResolvedJob(source, jobDir, job, attrs);
    }

    private java.util.Optional<JsonNode> membership(ArtifactName name) {
        ObjectNode vars = client.variables();
        vars.put("entity", name.entity());
        vars.put("project", name.project());
        vars.put("name", name.nameWithAlias());
        JsonNode m = client.execute(Operations.ARTIFACT_MEMBERSHIP_BY_NAME, vars).path("project")
                .path("artifactCollectionMembership");
        JsonNode artifact = m.path("artifact");
        return artifact.isObject() ? java.util.Optional.of(artifact) : java.util.Optional.empty();
    }

    private JobSource image(ArtifactName name, JobArtifact job, List<String> entrypoint) {
        String image = job.sourceText("image");
        if (image.isBlank()) {
            throw new LaunchException(Stage.AGENT, "job " + name + " had a malformed source dictionary without an "
                    + "image key");
        }
        try {
            return new JobSource.Image(ImageRef.parse(image), entrypoint);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(Stage.AGENT, "job " + name + " names the image '" + image + "': "
                    + e.getMessage());
        }
    }

    private JobSource git(ArtifactName name, JobArtifact job, List<String> entrypoint) {
        JsonNode git = job.source().path("git");
        String remote = git.path("remote").asText("");
        if (remote.isBlank()) {
            throw new LaunchException(Stage.AGENT, "job " + name + " is a repo job without source.git.remote");
        }
        requireEntrypoint(name, entrypoint);
        return new JobSource.Git(remote, git.path("commit").asText(""), entrypoint, job.sourceText("build_context"),
                job.sourceText("dockerfile"), job.sourceText("base_image"));
    }

    private JobSource code(ArtifactName name, JobArtifact job, List<String> entrypoint, Path jobDir, Path codeDir) {
        String ref = job.sourceText("artifact");
        if (ref.isBlank()) {
            throw new LaunchException(Stage.AGENT, "Job " + name + " had no source artifact");
        }
        requireEntrypoint(name, entrypoint);
        String codeId;
        String codeName;
        JsonNode code;
        if (ref.startsWith("wandb-artifact://_id/")) {
            codeId = ref.substring("wandb-artifact://_id/".length());
            ObjectNode vars = client.variables();
            vars.put("id", codeId);
            code = client.execute(Operations.ARTIFACT_BY_ID, vars).path("artifact");
            codeName = code.path("artifactSequence").path("name").asText(codeId) + ":v"
                    + code.path("versionIndex").asText("?");
        } else {
            ArtifactName artifactName;
            try {
                artifactName = ArtifactName.parse(ref, name.entity(), name.project());
            } catch (IllegalArgumentException e) {
                throw new LaunchException(Stage.AGENT, "job " + name + " references the code artifact '" + ref
                        + "': " + e.getMessage());
            }
            code = membership(artifactName).orElse(null);
            codeName = artifactName.toString();
            codeId = code == null ? "" : code.path("id").asText();
        }
        if (code == null || !code.isObject()) {
            throw new LaunchException(Stage.AGENT, "No code artifact found: job " + name + " references " + ref
                    + ", which W&B does not know");
        }
        if (code.path("state").asText("").equals("DELETED")) {
            throw new LaunchException(Stage.AGENT, "Job " + name + " references deleted code artifact " + codeName);
        }
        files.download(codeId, codeName, codeDir);
        Path frozen = jobDir.resolve(FROZEN);
        if (Files.isRegularFile(frozen)) {
            try {
                Files.copy(frozen, codeDir.resolve(FROZEN), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new LaunchException(Stage.AGENT, "cannot copy " + FROZEN + " of job " + name + ": "
                        + e.getMessage());
            }
        }
        return new JobSource.Code(codeDir, entrypoint, job.sourceText("build_context"), job.sourceText("dockerfile"),
                job.sourceText("base_image"));
    }

    private static void requireEntrypoint(ArtifactName name, List<String> entrypoint) {
        if (entrypoint.isEmpty()) {
            throw new LaunchException(Stage.AGENT, "Project must have at least one entry point unless docker image "
                    + "is specified: job " + name + " has none; set overrides.entry_point");
        }
    }
}
