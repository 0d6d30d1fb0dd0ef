package dev.launchkit.k8s.render;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RestrictedPolicyTest {
    private final ManifestRenderer restricted = new ManifestRenderer(
            Fixtures.settings().withSecurity(SecurityPolicy.RESTRICTED), Fixtures.AGENT_ENV, new SecretMasker());
    private final ManifestRenderer lenient = new ManifestRenderer(Fixtures.settings(), Fixtures.AGENT_ENV,
            new SecretMasker());

    /** queue config, the key path the refusal must name. */
    static Stream<Arguments> unsafe() {
        return Stream.of(
                Arguments.of("spec: {template: {spec: {volumes: [{name: host, hostPath: {path: /}}]}}}",
                        "spec.template.spec.volumes[0].hostPath"),
                Arguments.of("spec: {template: {spec: {hostNetwork: true}}}", "spec.template.spec.hostNetwork"),
                Arguments.of("spec: {template: {spec: {hostPID: 'yes'}}}", "spec.template.spec.hostPID"),
                Arguments.of("spec: {template: {spec: {hostIPC: true}}}", "spec.template.spec.hostIPC"),
                Arguments.of("spec: {template: {spec: {containers: [{securityContext: {privileged: true}}]}}}",
                        "spec.template.spec.containers[0].securityContext.privileged"),
                Arguments.of("spec: {template: {spec: {containers: [{securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}}}",
                        "spec.template.spec.containers[0].securityContext.capabilities.add"),
                Arguments.of("spec: {template: {spec: {securityContext: {runAsUser: 0}}}}",
                        "spec.template.spec.securityContext.runAsUser"),
                Arguments.of("spec: {template: {spec: {containers: [{securityContext: {runAsNonRoot: true}}]}}}",
                        "spec.template.spec.containers[0].securityContext"),
                Arguments.of("spec: {template: {spec: {serviceAccountName: admin}}}",
                        "spec.template.spec.serviceAccountName"),
                Arguments.of("spec: {template: {spec: {automountServiceAccountToken: true}}}",
                        "spec.template.spec.automountServiceAccountToken"),
                Arguments.of("spec: {template: {spec: {containers: [{ports: [{containerPort: 80, hostPort: 80}]}]}}}",
                        "spec.template.spec.containers[0].ports[0].hostPort"),
                Arguments.of("spec: {template: {spec: {containers: [{volumeMounts: [{name: v, mountPath: /m, mountPropagation: Bidirectional}]}]}}}",
                        "spec.template.spec.containers[0].volumeMounts[0].mountPropagation"),
                Arguments.of("spec: {template: {metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/launch0: unconfined}}}}",
                        "spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/launch0"),
                Arguments.of("spec: {template: {spec: {volumes: [{name: t, projected: {sources: [{serviceAccountToken: {path: t}}]}}]}}}",
                        "spec.template.spec.volumes[0].projected.sources[0].serviceAccountToken"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unsafe")
    void refusesUnsafeKeysNamingTheirPath(String queueYaml, String path) {
        assertThatThrownBy(() -> restricted.render(Fixtures.imageJob("k3x9p2aa", Fixtures.yaml(queueYaml)), IMAGE))
                .isInstanceOf(LaunchException.class)
                .satisfies(e -> assertThat(((LaunchException) e).stage()).isEqualTo(Stage.AGENT))
                .hasMessageContaining("'" + path + "'")
                .hasMessageContaining("security: restricted");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unsafe")
    void theDefaultPolicyRefusesNoneOfThem(String queueYaml, String path) {
        assertThat(lenient.render(Fixtures.imageJob("k3x9p2aa", Fixtures.yaml(queueYaml)), IMAGE).isBatchJob()).isTrue();
    }

    @Test
    void refusesUnsafeKeysInsideCustomResourcePodTemplates() {
        ObjectNode args = Fixtures.customResource("pytorchjob.yaml");
        ((ObjectNode) args.at("/spec/pytorchReplicaSpecs/Worker/template/spec")).put("hostNetwork", true);

        assertThatThrownBy(() -> restricted.render(Fixtures.imageJob("k3x9p2aa", args), IMAGE))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("'spec.pytorchReplicaSpecs.Worker.template.spec.hostNetwork'");
    }

    @Test
    void refusesUnsafeValuesThatOnlyAppearAfterMacroSubstitution() {
        ManifestRenderer withMacro = new ManifestRenderer(Fixtures.settings().withSecurity(SecurityPolicy.RESTRICTED)
                .withMacroEnv(java.util.List.of("HOST_NET")), java.util.Map.of("HOST_NET", "true"), new SecretMasker());

        assertThatThrownBy(() -> withMacro.render(Fixtures.imageJob("k3x9p2aa",
                Fixtures.yaml("spec: {template: {spec: {hostNetwork: '${HOST_NET}'}}}")), IMAGE))
                .isInstanceOf(LaunchException.class).hasMessageContaining("hostNetwork");
    }

    @Test
    void namesEveryRefusedKeyInOneMessage() {
        assertThatThrownBy(() -> restricted.render(Fixtures.imageJob("k3x9p2aa",
                Fixtures.yaml("spec: {template: {spec: {hostNetwork: true, hostPID: true}}}")), IMAGE))
                .hasMessageContaining("hostNetwork").hasMessageContaining("hostPID");
    }

    @Test
    void forcesTheRestrictedContextOnEveryContainerIncludingInitContainers() {
        RenderedRun run = restricted.render(Fixtures.imageJob("k3x9p2aa", Fixtures.yaml(
                "spec: {template: {spec: {initContainers: [{name: init, image: busybox}], containers: [{}, {name: side, image: envoy}]}}}")),
                IMAGE);

        PodSpecs.Site site = PodSpecs.find(run.manifest()).get(0);
        assertThat(site.allContainers()).hasSize(3)
                .allSatisfy(c -> assertThat(c.getValue().path("securityContext"))
                        .isEqualTo(ManifestRenderer.restrictedContext()));
    }

    @Test
    void acceptsTheSeedQueueConfig() {
        RenderedRun run = restricted.render(Fixtures.imageJob("k3x9p2aa", Fixtures.seedQueueConfig()), IMAGE);

        assertThat(run.batchJob().orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0)
                .getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }
}
