package dev.launchkit.wandb.queue;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static dev.launchkit.wandb.WandbTestSupport.context;
import static dev.launchkit.wandb.WandbTestSupport.fastBackend;
import static dev.launchkit.wandb.WandbTestSupport.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.Queue;
import dev.launchkit.testkit.wandb.AgentView;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbStartupTest {
    private final FakeWandbServer server = FakeWandbServer.start();
    private final WandbQueueProvider provider = new WandbQueueProvider();
    @TempDir
    Path downloads;

    @AfterEach
    void stop() {
        server.close();
    }

    private List<Queue> createAll(List<String> names, LaunchContext ctx, ObjectNode agentConfig) {
        return provider.createAll(names, TEAM, node(fastBackend(downloads)), agentConfig, ctx);
    }

    @Test
    void registersOnceForAllQueuesInThePythonAgentsOrder() {
        server.addTeam(TEAM);
        String a = server.createQueue(TEAM, "k8s-test");
        String b = server.createQueue(TEAM, "gpu");

        List<Queue> queues = createAll(List.of("k8s-test", "gpu"), context(server), JsonNodeFactory.instance.objectNode());

        assertThat(server.operations()).containsExactly("Viewer", "ProjectRunQueues", "createLaunchAgent",
                "EntityIsTeam", "LaunchAgent");
        AgentView agent = server.agents().get(0);
        assertThat(agent.queueIds()).containsExactly(a, b);
        assertThat(agent.hostname()).isEqualTo("test-host");
        assertThat(agent.version()).startsWith("launchkit@");
        assertThat(agent.entity()).isEqualTo(TEAM);
        assertThat(agent.project()).isEqualTo("model-registry");
        WandbQueue first = (WandbQueue) queues.get(0);
        assertThat(first.registration().orElseThrow().name()).isEqualTo(agent.name());
        assertThat(first.registration().orElseThrow().team()).isTrue();
        assertThat(first.session()).isSameAs(((WandbQueue) queues.get(1)).session());
        assertThat(server.calls("createLaunchAgent").get(0).variables().path("queues")).hasSize(2);
    }

    @Test
    void sendsTheAgentConfigWithKnownSecretsMasked() {
        server.createQueue(TEAM, "k8s-test");
        LaunchContext ctx = context(server);
        ctx.masker().register("registry-password-123");
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.put("entity", TEAM);
        config.putArray("queues").add("k8s-test");
        config.putObject("registry").put("password", "registry-password-123");

        createAll(List.of("k8s-test"), ctx, config);

        AgentView agent = server.agents().get(0);
        assertThat(agent.agentConfig().path("queues").get(0).asText()).isEqualTo("k8s-test");
        assertThat(agent.agentConfig().path("registry").path("password").asText()).isEqualTo("****");
    }

    @Test
    void createsTheDefaultQueueWhenTheEntityHasNoneAndDefaultIsRequested() {
        server.addEntity(TEAM);

        createAll(List.of("default"), context(server), JsonNodeFactory.instance.objectNode());

        assertThat(server.operations()).containsExactly("Viewer", "ProjectRunQueues", "CreateRunQueue",
                "createLaunchAgent", "EntityIsTeam", "LaunchAgent");
        assertThat(server.queue(TEAM, "default")).hasValueSatisfying(q -> assertThat(q.access()).isEqualTo("PROJECT"));
        assertThat(server.calls("CreateRunQueue").get(0).variable("access")).isEqualTo("PROJECT");
    }

    @Test
    void aMissingQueueFailsStartupNamingTheQueuesThatExist() {
        server.createQueue(TEAM, "k8s-test");
        LaunchContext ctx = context(server);

        assertThatThrownBy(() -> createAll(List.of("k8s-tset"), ctx, JsonNodeFactory.instance.objectNode()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queue 'k8s-tset' was not found in entity my-team")
                .hasMessageContaining("Available queues: k8s-test");
        assertThat(server.operations()).doesNotContain("createLaunchAgent", "CreateRunQueue");
    }

    @Test
    void aBadApiKeyFailsStartupClearlyWithoutShowingTheKey() {
        server.createQueue(TEAM, "k8s-test");
        String wrong = "wrong0wrong0wrong0wrong0wrong0wrong0wron";
        LaunchContext ctx = context(server, Map.of("WANDB_API_KEY", wrong));

        assertThatThrownBy(() -> createAll(List.of("k8s-test"), ctx, JsonNodeFactory.instance.objectNode()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("W&B refused the API key (HTTP 401")
                .hasMessageContaining("Check that WANDB_API_KEY holds a valid API key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThat(server.operations()).containsExactly("Viewer");
        assertThat(ctx.masker().mask(wrong)).isEqualTo("****");
    }

    @Test
    void theEntityDefaultsToTheKeysDefaultEntity() {
        server.createQueue(FakeWandbServer.DEFAULT_USER, "mine");

        List<Queue> queues = provider.createAll(List.of("mine"), "", node(fastBackend(downloads)),
                JsonNodeFactory.instance.objectNode(), context(server));

        assertThat(((WandbQueue) queues.get(0)).session().entity()).isEqualTo(FakeWandbServer.DEFAULT_USER);
        assertThat(server.agents().get(0).entity()).isEqualTo(FakeWandbServer.DEFAULT_USER);
    }

    @Test
    void queuesCreatedOneByOneShareOneRegistrationPerContextMadeAtTheFirstPoll() throws Exception {
        server.createQueue(TEAM, "a");
        server.createQueue(TEAM, "b");
        LaunchContext ctx = context(server);
        LaunchContext other = context(server);

        Queue a = provider.create("a", TEAM, node(fastBackend(downloads)), ctx);
        Queue b = provider.create("b", TEAM, node(fastBackend(downloads)), ctx);
        Queue c = provider.create("a", TEAM, node(fastBackend(downloads)), other);
        assertThat(server.operations()).doesNotContain("createLaunchAgent");

        a.poll(Duration.ZERO);
        c.poll(Duration.ZERO);

        assertThat(server.agents()).hasSize(2);
        assertThat(server.agents().get(0).queueIds()).hasSize(2);
        assertThat(server.agents().get(1).queueIds()).hasSize(1);
        assertThat(((WandbQueue) a).session()).isSameAs(((WandbQueue) b).session())
                .isNotSameAs(((WandbQueue) c).session());
    }

    @Test
    void closingTheLastQueueReportsTheAgentKilled() {
        server.createQueue(TEAM, "a");
        server.createQueue(TEAM, "b");
        List<Queue> queues = createAll(List.of("a", "b"), context(server), JsonNodeFactory.instance.objectNode());

        queues.get(0).close();
        assertThat(server.agents().get(0).statuses()).isEmpty();
        queues.get(1).close();

        assertThat(server.agents().get(0).statuses()).containsExactly("KILLED");
    }
}
