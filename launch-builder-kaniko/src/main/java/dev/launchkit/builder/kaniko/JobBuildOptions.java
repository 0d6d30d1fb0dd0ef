package dev.launchkit.builder.kaniko;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.Stage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a job says about how its generated image should look: Python version, accelerator base image and image
 * user id. Read from the queue-resolved job attributes and the launch spec as the W&B agent reads them.
 */
final class JobBuildOptions {
    /** Job attributes a queue may set from the job's metadata (W&B: {@code runtime} of wandb-job.json). */
    static final String PYTHON_ATTRIBUTES = "python_version, runtime";
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final int DEFAULT_UID = 1000;

    private JobBuildOptions() {
    }

    /**
     * {@code major.minor} from the job attribute {@code python_version} or {@code runtime}, else the spec's
     * {@code source.python_version}, else {@code fallback}.
     */
    static String pythonVersion(Job job, String fallback) {
        for (String candidate : new String[] {job.attributes().get("python_version"), job.attributes().get("runtime"),
                job.spec().get("source").path("python_version").asText(null)}) {
            if (candidate != null) {
                Matcher m = VERSION.matcher(candidate);
                if (m.find()) {
                    return m.group(1) + "." + m.group(2);
                }
            }
        }
        return fallback;
    }

    /**
     * The accelerator base image: {@code resource_args.<resource>.builder.accelerator.base_image} (or W&B's older
     * {@code builder.cuda.base_image}), else the source's base image; empty for none.
     *
     * @throws LaunchException at stage {@link Stage#AGENT} naming the key when it is not a valid image reference
     */
    static String baseImage(Job job, JobSource source) {
        String resource = job.resource("kubernetes");
        JsonNode builder = job.spec().resourceArgs(resource).path("builder");
        String key = "resource_args." + resource + ".builder.accelerator.base_image";
        String image = builder.path("accelerator").path("base_image").asText("");
        if (image.isEmpty()) {
            key = "resource_args." + resource + ".builder.cuda.base_image";
            image = builder.path("cuda").path("base_image").asText("");
        }
        if (image.isEmpty()) {
            key = "source.base_image";
            image = source instanceof JobSource.Git g ? g.baseImage()
                    : source instanceof JobSource.Code c ? c.baseImage() : "";
        }
        if (image.isEmpty()) {
            return "";
        }
        if (image.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '#')) {
            throw new LaunchException(Stage.AGENT, key + " '" + image + "' must not contain spaces or '#'");
        }
        try {
            ImageRef.parse(image);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(Stage.AGENT, key + ": " + e.getMessage());
        }
        return image;
    }

    /** {@code docker.user_id} of the spec, else 1000. */
    static int userId(Job job) {
        JsonNode uid = job.spec().get("docker").path("user_id");
        if (uid.canConvertToInt() && uid.asInt() >= 0) {
            return uid.asInt();
        }
        if (uid.isTextual() && uid.asText().matches("\\d{1,9}")) {
            return Integer.parseInt(uid.asText());
        }
        return DEFAULT_UID;
    }
}
