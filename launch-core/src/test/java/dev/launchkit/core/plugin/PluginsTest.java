package dev.launchkit.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Provider;
import dev.launchkit.core.config.YamlTree;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginsTest {
    record P(String type) implements Provider { }

    private final Plugins<P> builders = Plugins.of("builder", List.of(new P("noop"), new P("kaniko")));

    @Test
    void unknownTypeListsTheTypesFoundAndSuggestsTheNearest() {
        ConfigNode cfg = YamlTree.parse("queues: [a]\nbuilder:\n  type: kanico\n", "launch-config.yaml");
        assertThatThrownBy(() -> builders.require("kanico", cfg.child("builder").child("type")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("launch-config.yaml:3: builder.type: 'kanico' is not one of kaniko, noop — did you mean 'kaniko'?");
    }

    @Test
    void farOffTypeSaysWhichModuleToAdd() {
        assertThatThrownBy(() -> builders.require("buildpacks"))
                .hasMessageContaining("'buildpacks' is not one of kaniko, noop")
                .hasMessageContaining("add the module that provides 'buildpacks'");
    }

    @Test
    void twoProvidersClaimingOneTypeIsAnError() {
        record Q(String type) implements Provider { }
        assertThatThrownBy(() -> Plugins.of("runner", List.of(new P("x"), new Q("x"))))
                .hasMessageContaining("two runner plugins claim the type 'x'");
    }

    @Test
    void discoversProvidersWithServiceLoader() {
        Plugins<TestProvider> found = Plugins.load(TestProvider.class, "test");
        assertThat(found.types()).containsExactly("alpha", "beta");
        assertThat(found.require("alpha")).isInstanceOf(TestProvider.Alpha.class);
    }
}
