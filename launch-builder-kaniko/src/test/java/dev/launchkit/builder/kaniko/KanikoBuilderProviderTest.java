package dev.launchkit.builder.kaniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.plugin.Plugins;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KanikoBuilderProviderTest {

    @Test
    void isFoundByTypeKaniko() {
        Plugins<BuilderProvider> builders = Plugins.load(BuilderProvider.class, "builder");

        assertThat(builders.find("kaniko")).get().isInstanceOf(KanikoBuilderProvider.class);
    }

    @Test
    void withoutADestinationTheBuilderIsNotCreatedAndTheErrorSaysWhatToSet() throws Exception {
        ConfigNode config = ConfigNode.of(new ObjectMapper().readTree(
                "{\"builder\":{\"type\":\"kaniko\",\"build-context-store\":\"s3://b/p\"}}"), "launch-config.yaml").child("builder");

        assertThatThrownBy(() -> new KanikoBuilderProvider().create(config, LaunchContext.basic(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("builder.destination: the kaniko builder needs a destination repository");
    }
}
