package dev.launchkit.example.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.Builder;
import dev.launchkit.core.BuilderProvider;
import dev.launchkit.core.ConfigNode;
import dev.launchkit.core.Job;
import dev.launchkit.core.JobSource;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.Registry;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.RunListener;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.testkit.contract.BuilderContract;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The example plugin passes the testkit's builder contract, and is found by type through ServiceLoader. */
class CiImageBuilderTest extends BuilderContract {
    /** A Registry SPI double holding the tags CI has pushed. */
    static final class PublishedTags implements Registry {
        final Set<String> tags = ConcurrentHashMap.newKeySet();

        @Override
        public String type() {
            return "generic";
        }

        @Override
        public String repositoryUri() {
            return "registry.example.com/team/train";
        }

        @Override
        public Optional<RegistryCredentials> credentials() {
            return Optional.empty();
        }

        @Override
        public boolean imageExists(String tag) {
            return tags.contains(tag);
        }
    }

    private final PublishedTags registry = new PublishedTags();

    private static String commit(int variant) {
        return String.format("%012x", 0xabc000L + variant) + "f".repeat(28);
    }

    private static Job gitJob(String commit) {
        String json = "{\"entity\":\"e\",\"project\":\"p\",\"source\":{\"git\":{\"remote\":\"https://git.example/t.git\","
                + "\"commit\":\"" + commit + "\"}}}";
        LaunchSpec spec = LaunchSpec.parse(json);
        return new Job("i-" + commit, "q", "e", spec.withRunId("r1"), JobSource.fromSpec(spec), "r1", Map.of());
    }

    @Override
    protected Builder newBuilder() {
        return new CiImageBuilder(registry);
    }

    @Override
    protected Job buildableJob(int variant) {
        registry.tags.add(commit(variant).substring(0, CiImageBuilder.TAG_LENGTH));
        return gitJob(commit(variant));
    }

    @Override
    protected Job unbuildableJob() {
        return gitJob("main");
    }

    @Test
    void failsAtStageBuildWhenCiHasNotPublishedTheCommit() {
        assertThatThrownBy(() -> newBuilder().build(gitJob(commit(99)), new RunListener() { }))
                .hasMessageContaining("CI has not published registry.example.com/team/train:" + commit(99).substring(0, 12));
    }

    @Test
    void isDiscoveredByTypeAndNeedsADestination() {
        BuilderProvider provider = Plugins.load(BuilderProvider.class, "builder").require("ci-image");
        LaunchContext ctx = LaunchContext.basic(Map.of());
        assertThat(provider.create(ConfigNode.empty("launch-config.yaml"), ctx.withRegistry(registry)).type())
                .isEqualTo("ci-image");
        assertThatThrownBy(() -> provider.create(ConfigNode.empty("launch-config.yaml").child("builder"), ctx))
                .hasMessageContaining("builder.destination: is required by the ci-image builder");
    }
}
