package dev.launchkit.k8s.render;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NamespaceRulesTest {
    private static final Set<String> ALL = Set.of("ns-manifest", "ns-legacy", "ns-config", "ns-agent", "ns-context", "default");

    /** manifest, legacy key, configured default, agent namespace, context namespace → expected. */
    static Stream<Arguments> resolutionOrder() {
        return Stream.of(
                Arguments.of("ns-manifest", "ns-legacy", "ns-config", "ns-agent", "ns-context", "ns-manifest"),
                Arguments.of("", "ns-legacy", "ns-config", "ns-agent", "ns-context", "ns-legacy"),
                Arguments.of("", "", "ns-config", "ns-agent", "ns-context", "ns-config"),
                Arguments.of("", "", "", "ns-agent", "ns-context", "ns-agent"),
                Arguments.of("", "", "", "", "ns-context", "ns-context"),
                Arguments.of("", "", "", "", "", "default"));
    }

    @ParameterizedTest(name = "→ {5}")
    @MethodSource("resolutionOrder")
    void resolvesTheFirstNamespaceThatIsSet(String manifest, String legacy, String configured, String agent,
                                            String context, String expected) {
        NamespaceRules rules = new NamespaceRules(configured, agent, context, ALL);

        assertThat(rules.resolve(manifest, legacy).namespace()).isEqualTo(expected);
    }

    @Test
    void allowsTheAgentNamespaceTheConfiguredDefaultAndTheAdditionalTargets() {
        NamespaceRules rules = new NamespaceRules("team-a", "wandb", "ignored", Set.of("default"));

        assertThat(rules.allowed()).containsExactlyInAnyOrder("wandb", "team-a", "default");
    }

    @Test
    void allowsOnlyTheFallbackWhenNothingIsConfigured() {
        assertThat(new NamespaceRules("", "", "dev", Set.of()).allowed()).containsExactly("dev");
        assertThat(new NamespaceRules("", "", "", Set.of()).allowed()).containsExactly("default");
    }

    static Stream<Arguments> escapes() {
        return Stream.of(
                Arguments.of("metadata: {namespace: kube-system}", "resource_args.kubernetes.metadata.namespace",
                        "kube-system"),
                Arguments.of("namespace: kube-system", "resource_args.kubernetes.namespace", "kube-system"),
                Arguments.of("metadata: {namespace: '${project_name}'}", "resource_args.kubernetes.metadata.namespace",
                        "vision"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("escapes")
    void refusesANamespaceOutsideTheAllowListBeforeAnyApiCall(String queueYaml, String key, String namespace) {
        ManifestRenderer renderer = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV, new SecretMasker());

        assertThatThrownBy(() -> renderer.render(Fixtures.imageJob("k3x9p2aa", Fixtures.yaml(queueYaml)), IMAGE))
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT))
                .hasMessageContaining(key + ": namespace '" + namespace + "' is not one this agent may submit to")
                .hasMessageContaining("allowed: wandb, default")
                .hasMessageContaining("additional_target_namespaces");
    }

    @Test
    void refusesAnInvalidNamespaceName() {
        NamespaceRules rules = NamespaceRules.of("wandb", List.of());

        assertThatThrownBy(() -> rules.resolve("Team_A", "")).isInstanceOf(LaunchException.class)
                .hasMessageContaining("'Team_A' is not a valid namespace name");
    }

    @Test
    void quotesAMegabyteNamespaceShortInItsMessage() {
        NamespaceRules rules = NamespaceRules.of("wandb", List.of());

        assertThatThrownBy(() -> rules.resolve("n".repeat(1 << 20), "")).isInstanceOf(LaunchException.class)
                .hasMessageContaining("(1048576 characters) is not a valid namespace name")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }
}
