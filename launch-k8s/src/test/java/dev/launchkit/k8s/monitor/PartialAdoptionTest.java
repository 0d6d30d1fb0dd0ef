package dev.launchkit.k8s.monitor;

import static dev.launchkit.k8s.render.Fixtures.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.launchkit.core.PartialAdoptionException;
import dev.launchkit.core.SubmittedRun;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A namespace the restarted agent may not list does not keep it from following the runs it can see: adopt() hands
 * them over inside a {@link PartialAdoptionException} naming what it could not list.
 */
class PartialAdoptionTest {
    private static final String AGENT = "system:serviceaccount:wandb:launch-agent";
    private final SimulatedRuns sim = new SimulatedRuns();

    @AfterEach
    void stop() {
        sim.close();
    }

    private void grantEverythingIn(String namespace) throws ApiException {
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(sim.cluster.apiClient());
        rbac.createNamespacedRole(namespace, new V1Role().apiVersion("rbac.authorization.k8s.io/v1").kind("Role")
                .metadata(new V1ObjectMeta().name("launch-agent").namespace(namespace))
                .rules(List.of(new V1PolicyRule().apiGroups(List.of("", "batch")).resources(List.of("*"))
                        .verbs(List.of("*"))))).execute();
        rbac.createNamespacedRoleBinding(namespace, new V1RoleBinding().apiVersion("rbac.authorization.k8s.io/v1")
                .kind("RoleBinding").metadata(new V1ObjectMeta().name("launch-agent").namespace(namespace))
                .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("Role").name("launch-agent"))
                .subjects(List.of(new RbacV1Subject().kind("ServiceAccount").name("launch-agent")
                        .namespace("wandb")))).execute();
    }

    @Test
    void runsInListableNamespacesAreAdoptedWhenAnotherNamespaceCannotBeListed() throws Exception {
        SubmittedRun before = sim.runner().submit(SimulatedRuns.job("partial1", "run-forever"), IMAGE);
        SimulatedRuns.await("the run to start", () -> before.status().state() == dev.launchkit.core.RunState.RUNNING);
        grantEverythingIn(SimulatedRuns.NAMESPACE); // and nothing in 'default', the other target namespace
        sim.cluster.rbac().authenticateAs(AGENT);

        PartialAdoptionException partial = catchThrowableOfType(() -> sim.runner().adopt(),
                PartialAdoptionException.class);

        assertThat(partial).as("adopt() must say it could not look everywhere").isNotNull();
        assertThat(partial.getMessage()).contains("namespace default").contains("list and watch");
        assertThat(partial.adopted()).extracting(SubmittedRun::runId).containsExactly("partial1");
        SubmittedRun adopted = partial.adopted().get(0);
        adopted.cancel();
        assertThat(SimulatedRuns.end(adopted).state().isTerminal()).as("the adopted run is followed to its end")
                .isTrue();
    }
}
