package dev.launchkit.builder.kaniko.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PvcTransportTest {
    @TempDir
    Path tmp;

    @Test
    void copiesTheArchiveToTheMountAndPointsKanikoAtTheSameFileUnderContext() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("kaniko"));
        Path archive = Files.write(tmp.resolve("ctx.tgz"), new byte[] {1, 2, 3});
        PvcTransport pvc = new PvcTransport("kaniko-pvc", mount);

        StagedContext staged = pvc.stage(archive, "run42");

        assertThat(staged.kanikoContext()).isEqualTo("tar:///context/run42.tgz");
        assertThat(mount.resolve("run42.tgz")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(pvc.claimName()).isEqualTo("kaniko-pvc");
        try (var files = Files.list(mount)) {
            assertThat(files).containsExactly(mount.resolve("run42.tgz"));
        }

        pvc.remove(staged);
        assertThat(mount.resolve("run42.tgz")).doesNotExist();
    }
}
