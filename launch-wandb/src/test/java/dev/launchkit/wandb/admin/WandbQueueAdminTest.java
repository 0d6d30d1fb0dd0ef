package dev.launchkit.wandb.admin;

import static dev.launchkit.wandb.WandbTestSupport.TEAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.LaunchSpec;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.testkit.wandb.FakeWandbServer;
import dev.launchkit.testkit.wandb.ItemView;
import dev.launchkit.testkit.wandb.QueueView;
import dev.launchkit.wandb.WandbTestSupport;
import dev.launchkit.wandb.client.ClientSettings;
import dev.launchkit.wandb.client.WandbClient;
import dev.launchkit.wandb.client.WandbException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

    @Test
    void createsAQueueFromTheSeedsKubernetesJobSpec() {
        QueueInfo created = admin.create(QueueDefinition.kubernetes("k8s-test", seedJob));

        assertThat(server.operations()).containsExactly("CreateDefaultResourceConfig", "CreateRunQueue");
        QueueView q = server.queue(TEAM, "k8s-test").orElseThrow();
        assertThat(q.id()).isEqualTo(created.id());
        assertThat(q.resource()).isEqualTo("kubernetes");
        assertThat(q.config().path("resource_args").path("kubernetes")).isEqualTo(seedJob);
        assertThat(admin.describe("k8s-test").orElseThrow().resourceConfig()).isEqualTo(seedJob);
    }

    @Test
    void aSecondCreateOfTheSameQueueFailsAndPointsToUpsert() {
        admin.create(QueueDefinition.kubernetes("k8s-test", seedJob));

        assertThatThrownBy(() -> admin.create(QueueDefinition.kubernetes("k8s-test", seedJob)))
                .isInstanceOf(WandbException.class).hasMessageContaining("use upsert");
    }

    @Test
    void upsertCreatesThenReplacesTheConfigWithTemplateVariablesAndPriorities() {
        admin.upsert(QueueDefinition.kubernetes("k8s-test", seedJob));
        ObjectNode gpuJob = seedJob.deepCopy();
        ((ObjectNode) gpuJob.at("/spec/template/spec/containers/0/resources/requests")).put("nvidia.com/gpu",
                "{{gpus}}");

        QueueInfo updated = admin.upsert(QueueDefinition.kubernetes("k8s-test", gpuJob)
                .withTemplateVariable(TemplateVariable.integer("gpus", 0, 4, 0)).withPriorities()
                .withExternalLink("runbook", "https://example.com/runbook"));

        assertThat(updated.prioritizationMode()).isEqualTo("V0");
        assertThat(updated.templateVariables()).extracting(TemplateVariable::name).containsExactly("gpus");
        assertThat(updated.templateVariables().get(0).schema().path("maximum").asInt()).isEqualTo(4);
        assertThat(updated.resourceConfig()).isEqualTo(gpuJob);
        assertThat(server.queue(TEAM, "k8s-test").orElseThrow().externalLinks().path("runbook").asText())
                .isEqualTo("https://example.com/runbook");
    }

    @Test
    void upsertReportsTheServersValidationErrors() {
        QueueDefinition bad = new QueueDefinition("q", "slurm", seedJob, java.util.List.of(), false, Map.of());

        assertThatThrownBy(() -> admin.upsert(bad)).isInstanceOf(WandbException.class)
                .hasMessageContaining("resourceType 'slurm' is not one of");
    }

    @Test
    void pushesWithPriorityAndTemplateValuesThatTheServerResolves() {
        ObjectNode gpuJob = seedJob.deepCopy();
        ((ObjectNode) gpuJob.at("/spec/template/spec/containers/0/resources/requests")).put("nvidia.com/gpu",
                "{{gpus}}");
        admin.create(QueueDefinition.kubernetes("k8s-test", gpuJob)
                .withTemplateVariable(TemplateVariable.integer("gpus", 0, 4, 0)).withPriorities());

        PushedItem pushed = admin.push("k8s-test", spec(), Priority.HIGH, Map.of("gpus", "2"));

        ItemView item = server.item(pushed.itemId()).orElseThrow();
        assertThat(item.priority()).isEqualTo(1);
        JsonNode requests = item.runSpec().at("/resource_args/kubernetes/spec/template/spec/containers/0/resources/requests");
        assertThat(requests.path("nvidia.com/gpu").isInt()).isTrue();
        assertThat(requests.path("nvidia.com/gpu").asInt()).isEqualTo(2);
        assertThat(requests.path("cpu").asText()).isEqualTo("1000m");
        assertThat(pushed.runSpec()).hasValueSatisfying(s -> assertThat(s.resource()).contains("kubernetes"));
        assertThat(server.calls("pushToRunQueueByName").get(0).variable("templateVariableValues"))
                .isEqualTo("{\"gpus\":2}");
    }

    @Test
    void aTemplateValueTheQueueDoesNotDeclareIsRefusedBeforeSending() {
        admin.create(QueueDefinition.kubernetes("k8s-test", seedJob));

        assertThatThrownBy(() -> admin.push("k8s-test", spec(), Priority.MEDIUM, Map.of("gpus", 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Queue k8s-test does not support overriding gpus");
        assertThat(server.operations()).doesNotContain("pushToRunQueueByName");
    }

    @Test
    void aTemplateValueOutOfRangeIsRefusedByTheServer() {
        admin.create(QueueDefinition.kubernetes("k8s-test", seedJob)
                .withTemplateVariable(TemplateVariable.integer("gpus", 0, 4, 0)));

        assertThatThrownBy(() -> admin.push("k8s-test", spec(), Priority.MEDIUM, Map.of("gpus", 8)))
                .isInstanceOf(WandbException.class)
                .hasMessageContaining("8 is above the maximum 4");
    }

    @Test
    void listsInspectsAndDeletesItemsAndQueues() {
        admin.create(QueueDefinition.kubernetes("k8s-test", seedJob));
        String first = admin.push("k8s-test", spec()).itemId();
        String second = admin.push("k8s-test", spec()).itemId();

        assertThat(admin.itemIds("k8s-test")).containsExactly(first, second);
        assertThat(admin.item("k8s-test", first)).contains(new ItemInfo(first, "PENDING", ""));
        assertThat(admin.deleteItem("k8s-test", first)).isTrue();
        assertThat(admin.itemIds("k8s-test")).containsExactly(second);
        assertThat(admin.delete("k8s-test")).isTrue();
        assertThat(admin.describe("k8s-test")).isEmpty();
        assertThat(admin.delete("k8s-test")).isFalse();
    }
}
