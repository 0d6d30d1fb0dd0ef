package dev.launchkit.wandb.admin;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchContext;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.queue.InvalidItemException;
import dev.launchkit.core.queue.ItemState;
import dev.launchkit.core.queue.PrioritizationMode;
import dev.launchkit.core.queue.Priority;
import dev.launchkit.core.queue.QueueAdmin;
import dev.launchkit.core.queue.QueueDefinition;
import dev.launchkit.core.queue.QueueItem;
import dev.launchkit.core.queue.TemplateVariable;
import dev.launchkit.core.queue.TemplateVariableException;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.ItemView;
import dev.launchkit.testkit.wandb.QueueView;
import dev.launchkit.wandb.WandbTestSupport;
import dev.launchkit.wandb.client.ClientSettings;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.queue.WandbQueueProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbQueueAdminTest {
    private final FakeWandbServer server = FakeWandbServer.start();
    private WandbQueueAdmin admin;
    private ObjectNode seedJob;

    @BeforeEach
    void connect() throws IOException {
        server.addTeam(TEAM);
        admin = new WandbQueueAdmin(WandbClient.create(ClientSettings.of(URI.create(server.baseUrl()),
                server.apiKey()), new SecretMasker()), TEAM);
        try (InputStream in = getClass().getResourceAsStream("/dev/launchkit/testkit/seed/queue-k8s-job.yaml")) {
            seedJob = (ObjectNode) FakeWandbServer.yaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static LaunchSpec spec() {
        return LaunchSpec.of(WandbTestSupport.imageSpec(TEAM, "vision"));
    }

    /** The seed's Job spec with a {{gpus}} request, and the variable it needs. */
    private QueueDefinition gpuQueue() {
        ObjectNode gpuJob = seedJob.deepCopy();
        ((ObjectNode) gpuJob.at("/spec/template/spec/containers/0/resources/requests")).put("nvidia.com/gpu",
                "{{gpus}}");
        return QueueDefinition.of("k8s-test", "kubernetes", gpuJob,
                List.of(TemplateVariable.integer("gpus").minimum(0).maximum(4).defaultValue(0)));
    }

    @Test
    void createsAQueueFromTheSeedsKubernetesJobSpec() {
        QueueDefinition created = admin.create(QueueDefinition.of("k8s-test", "kubernetes", seedJob)
                .withPrioritization(PrioritizationMode.DISABLED));

        assertThat(server.operations()).containsExactly("GetRunQueueMetadata", "CreateDefaultResourceConfig",
                "CreateRunQueue");
        QueueView q = server.queue(TEAM, "k8s-test").orElseThrow();
        assertThat(q.resource()).isEqualTo("kubernetes");
        assertThat(q.config().path("resource_args").path("kubernetes")).isEqualTo(seedJob);
        assertThat(created.entity()).isEqualTo(TEAM);
        assertThat(admin.get("k8s-test")).contains(created);
    }

    @Test
    void aSecondCreateOfTheSameQueueSaysToUpsert() {
        admin.create(QueueDefinition.of("k8s-test", "kubernetes", seedJob));

        assertThatThrownBy(() -> admin.create(QueueDefinition.of("k8s-test", "kubernetes", seedJob)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("use upsert");
    }

    @Test
    void upsertCreatesThenReplacesTheConfigWithTemplateVariablesAndLinks() {
        admin.upsert(QueueDefinition.of("k8s-test", "kubernetes", seedJob));

        admin.upsert(gpuQueue(), Map.of("runbook", "https://example.com/runbook"));

        QueueDefinition read = admin.get("k8s-test").orElseThrow();
        assertThat(read).isEqualTo(gpuQueue().withEntity(TEAM));
        assertThat(read.templateVariable("gpus").orElseThrow().maximum()).hasValueSatisfying(
                m -> assertThat(m.intValue()).isEqualTo(4));
        assertThat(server.queue(TEAM, "k8s-test").orElseThrow().externalLinks().path("runbook").asText())
                .isEqualTo("https://example.com/runbook");
        assertThat(server.operations()).contains("upsertRunQueue");
    }

    @Test
    void updateOfAMissingQueueIsRefused() {
        assertThatThrownBy(() -> admin.update(gpuQueue())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("there is no queue k8s-test");
    }

    @Test
    void upsertQuotesTheServersValidationErrors() {
        QueueDefinition bad = QueueDefinition.of("q", "slurm", seedJob);

        assertThatThrownBy(() -> admin.upsert(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resourceType 'slurm' is not one of");
    }

    @Test
    void pushesWithPriorityAndTemplateValuesThatTheServerResolves() {
        admin.create(gpuQueue());

        String id = admin.push("k8s-test", spec(), Priority.HIGH, Map.of("gpus", "2"));

        ItemView item = server.item(id).orElseThrow();
        assertThat(item.priority()).isEqualTo(1);
        JsonNode requests = item.runSpec().at("/resource_args/kubernetes/spec/template/spec/containers/0/resources/requests");
        assertThat(requests.path("nvidia.com/gpu").isIntegralNumber()).isTrue();
        assertThat(requests.path("nvidia.com/gpu").asInt()).isEqualTo(2);
        assertThat(requests.path("cpu").asText()).isEqualTo("1000m");
        assertThat(item.runSpec().path("resource").asText()).isEqualTo("kubernetes");
        assertThat(server.calls("pushToRunQueueByName").get(0).variable("templateVariableValues"))
                .isEqualTo("{\"gpus\":2}");
    }

    @Test
    void templateValuesTheQueueDoesNotAcceptAreRefusedBeforeSending() {
        admin.create(gpuQueue());

        assertThatThrownBy(() -> admin.push("k8s-test", spec(), Priority.MEDIUM, Map.of("gpus", 8)))
                .isInstanceOf(TemplateVariableException.class).hasMessageContaining("8 is above the maximum 4");
        assertThatThrownBy(() -> admin.push("k8s-test", spec(), Priority.MEDIUM, Map.of("cpus", 8)))
                .isInstanceOf(TemplateVariableException.class)
                .hasMessageContaining("does not support overriding 'cpus'");
        assertThat(server.operations()).doesNotContain("pushToRunQueueByName");
    }

    @Test
    void aQueueWithoutPrioritiesTakesOnlyMediumItems() {
        admin.create(QueueDefinition.of("k8s-test", "kubernetes", seedJob)
                .withPrioritization(PrioritizationMode.DISABLED));

        assertThatThrownBy(() -> admin.push("k8s-test", spec(), Priority.CRITICAL, Map.of()))
                .isInstanceOf(InvalidItemException.class).hasMessageContaining("does not order items by priority");
    }

    @Test
    void pushingToAMissingQueueNamesIt() {
        assertThatThrownBy(() -> admin.push("nope", spec())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("there is no queue nope in my-team/model-registry");
    }

    @Test
    void listsPendingItemsReportsStatusAndDeletes() {
        admin.create(QueueDefinition.of("k8s-test", "kubernetes", seedJob));
        String first = admin.push("k8s-test", spec(), Priority.LOW, Map.of());
        String second = admin.push("k8s-test", spec());

        assertThat(admin.pending("k8s-test")).extracting(QueueItem::id, QueueItem::priority).containsExactly(
                org.assertj.core.groups.Tuple.tuple(first, Priority.LOW),
                org.assertj.core.groups.Tuple.tuple(second, Priority.MEDIUM));
        assertThat(admin.pending("k8s-test").get(0).spec().resource()).contains("kubernetes");
        assertThat(admin.status("k8s-test", first).orElseThrow().state()).isEqualTo(ItemState.PENDING);
        assertThat(admin.status("k8s-test", "unknown")).isEmpty();
        assertThat(admin.list()).extracting(QueueDefinition::name).containsExactly("k8s-test");
        assertThat(admin.deleteItem("k8s-test", first)).isTrue();
        assertThat(admin.itemIds("k8s-test")).containsExactly(second);
        assertThat(admin.delete("k8s-test")).isTrue();
        assertThat(admin.get("k8s-test")).isEmpty();
        assertThat(admin.delete("k8s-test")).isFalse();
    }

    @Test
    void theProviderHandsOutAnAdminForTheBackendBlock(@TempDir Path downloads) {
        LaunchContext ctx = WandbTestSupport.context(server, Map.of("WANDB_ENTITY", TEAM));

        QueueAdmin fromProvider = new WandbQueueProvider().admin(
                WandbTestSupport.node(WandbTestSupport.fastBackend(downloads)), ctx);
        fromProvider.create(QueueDefinition.of("k8s-test", "kubernetes", seedJob));

        assertThat(server.queue(TEAM, "k8s-test")).isPresent();
        assertThat(((WandbQueueAdmin) fromProvider).entity()).isEqualTo(TEAM);
    }
}
