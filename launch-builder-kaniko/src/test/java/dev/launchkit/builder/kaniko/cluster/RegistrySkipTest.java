package dev.launchkit.builder.kaniko.cluster;

import static dev.launchkit.builder.kaniko.cluster.BuildHarness.container;
import static dev.launchkit.builder.kaniko.cluster.BuildHarness.jobName;
import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.ImageRef;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Registry;
import dev.launchkit.core.config.YamlTree;
import dev.launchkit.core.registry.GenericRegistryProvider;
import dev.launchkit.core.registry.testing.LocalRegistry;
import dev.launchkit.core.registry.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build is skipped when a real registry (Debian's docker-registry on 127.0.0.1, through the generic registry
 * plugin) already has the content tag.
 */
class RegistrySkipTest {
    private static final Map<String, String> CODE = Map.of("train.py", "print('registry')\n", "requirements.txt", "wandb\n");

    @TempDir
    Path tmp;
    private LocalRegistry docker;
    private BuildHarness h;

    @BeforeEach
    void start() {
        docker = LocalRegistry.plain();
        h = new BuildHarness(tmp);
    }

    @AfterEach
    void stop() {
        h.close();
        docker.close();
    }

    @Test
    void theSameSourceIsNotBuiltAgainOnceItsImageIsInTheRegistry() throws Exception {
        Registry registry = new GenericRegistryProvider().create(YamlTree.parse("registry:\n  type: generic\n  uri: http://"
                + docker.host() + "/launch/job\n", "launch-config.yaml").child("registry"), LaunchContext.basic(Map.of()));
        Path pvc = Files.createDirectories(tmp.resolve("pvc"));
        h.builder("builder: {type: kaniko}", Map.of("WANDB_LAUNCH_KANIKO_PVC_NAME", "claim",
                "WANDB_LAUNCH_KANIKO_PVC_MOUNT_PATH", pvc.toString()), registry, null);
        // What the Kaniko pod does: push the image to its --destination.
        h.duringBuild(job -> Skopeo.push(container(job).getArgs().stream().filter(a -> a.startsWith("--destination="))
                .findFirst().orElseThrow().substring("--destination=".length()), Optional.empty()));

        ImageRef first = h.build(h.codeJob("first", CODE));
        ImageRef second = h.build(h.codeJob("second", CODE));

        assertThat(first.repositoryUri()).isEqualTo(docker.host() + "/launch/job");
        assertThat(registry.imageExists(first.tag())).isTrue();
        assertThat(second).isEqualTo(first);
        assertThat(h.created).containsOnlyKeys(jobName("first"));
        assertThat(h.logs).anyMatch(l -> l.equals("build: " + first + " already exists in the registry; skipping the build"));
        assertThat(registry.imageExists("0123456789abcdef0123456789abcdef")).isFalse();
    }
}
