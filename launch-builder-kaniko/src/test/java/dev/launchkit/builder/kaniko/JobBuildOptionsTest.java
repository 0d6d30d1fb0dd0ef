package dev.launchkit.builder.kaniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.LaunchSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobBuildOptionsTest {
    private static final JobSource.Git GIT = new JobSource.Git("https://h/r.git", "", List.of(), "", "", "");

    private static Job job(String spec, Map<String, String> attributes) {
        return new Job("item", "q", "e", LaunchSpec.parse(spec), GIT, "run1", attributes);
    }

    @Test
    void pythonVersionComesFromTheJobsRuntimeThenTheSpecThenTheDefault() {
        assertThat(JobBuildOptions.pythonVersion(job("{}", Map.of("runtime", "Python 3.10.12")), "3.11")).isEqualTo("3.10");
        assertThat(JobBuildOptions.pythonVersion(job("{\"source\":{\"python_version\":\"3.12\"}}", Map.of()), "3.11")).isEqualTo("3.12");
        assertThat(JobBuildOptions.pythonVersion(job("{}", Map.of()), "3.11")).isEqualTo("3.11");
    }

    @Test
    void acceleratorBaseImageComesFromTheResourceArgsBuilderBlock() {
        Job j = job("{\"resource\":\"kubernetes\",\"resource_args\":{\"kubernetes\":{\"builder\":{\"accelerator\":"
                + "{\"base_image\":\"nvidia/cuda:12.4.1-runtime-ubuntu22.04\"}}}}}", Map.of());
        Job cuda = job("{\"resource_args\":{\"kubernetes\":{\"builder\":{\"cuda\":{\"base_image\":\"nvidia/cuda:11.8.0-base-ubuntu22.04\"}}}}}", Map.of());

        assertThat(JobBuildOptions.baseImage(j, GIT)).isEqualTo("nvidia/cuda:12.4.1-runtime-ubuntu22.04");
        assertThat(JobBuildOptions.baseImage(cuda, GIT)).isEqualTo("nvidia/cuda:11.8.0-base-ubuntu22.04");
        assertThat(JobBuildOptions.baseImage(job("{}", Map.of()), GIT)).isEmpty();
    }

    @Test
    void anInvalidBaseImageIsRefusedNamingTheKey() {
        Job j = job("{\"resource_args\":{\"kubernetes\":{\"builder\":{\"accelerator\":{\"base_image\":\"cuda # evil\"}}}}}", Map.of());

        assertThatThrownBy(() -> JobBuildOptions.baseImage(j, GIT)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("resource_args.kubernetes.builder.accelerator.base_image 'cuda # evil' must not contain spaces or '#'");
    }

    @Test
    void userIdComesFromDockerUserId() {
        assertThat(JobBuildOptions.userId(job("{\"docker\":{\"user_id\":2000}}", Map.of()))).isEqualTo(2000);
        assertThat(JobBuildOptions.userId(job("{}", Map.of()))).isEqualTo(1000);
    }
}
