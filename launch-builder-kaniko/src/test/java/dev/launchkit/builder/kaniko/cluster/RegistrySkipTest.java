package dev.launchkit.builder.kaniko.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.Registry;
import io.kubernetes.client.openapi.models.V1Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build is skipped when a real registry (Debian's docker-registry on 127.0.0.1) already has the content tag. */
class RegistrySkipTest {
    private static final Map<String, String> CODE = Map.of("train.py", "print('registry')\n", "requirements.txt", "wandb\n");

    @TempDir
    Path tmp;
    private LocalDockerRegistry docker;
    private BuildHarness h;

    @BeforeEach
    void start() throws Exception {
        docker = LocalDockerRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        h = new BuildHarness(tmp);
    }

    @AfterEach
    void stop() {
        h.close();
        docker.close();
    }

    @Test
    void theSameSourceIsNotBuiltAgainOnceItsImageIsInTheRegistry() throws Exception {
        Registry registry = docker.repository("launch/job");
        Path pvc = Files.createDirectories(tmp.resolve("pvc"));
        h.builder("builder: {type: kaniko}", Map.of("WANDB_LAUNCH_KANIKO_PVC_NAME", "claim",
                "WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH", pvc.toString()), registry, null);

        var first = h.buildAsync(h.codeJob("first", CODE));
        V1Job job = h.cluster.awaitJob("default", "wandb-launch-container-build-first", Duration.ofSeconds(20), first);
        String destination = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()
                .filter(a -> a.startsWith("--destination=")).findFirst().orElseThrow().substring("--destination=".length());
        String tag = ImageRef.parse(destination).tag();
        docker.push("launch/job", tag); // what the Kaniko pod does
        h.cluster.playKanikoPod(job, "INFO pushed " + destination + "\n", true);
        assertThat(first.get(20, TimeUnit.SECONDS).toString()).isEqualTo(destination);

        ImageRef second = h.buildAsync(h.codeJob("second", CODE)).get(20, TimeUnit.SECONDS);

        assertThat(second.toString()).isEqualTo(docker.host() + "/launch/job:" + tag);
        assertThat(h.cluster.batch.listNamespacedJob("default").execute().getItems())
                .noneMatch(j -> j.getMetadata().getName().endsWith("-second"));
        assertThat(registry.imageExists("0123456789abcdef0123456789abcdef")).isFalse();
    }
}
