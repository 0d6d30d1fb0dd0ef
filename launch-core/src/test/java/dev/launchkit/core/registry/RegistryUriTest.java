package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchkit.core.ConfigException;
import dev.launchkit.core.ConfigNode;
import org.junit.jupiter.api.Test;

class RegistryUriTest {

    @Test
    void infersTheRegistryTypeFromTheHostAsWandbDoes() {
        assertThat(RegistryUri.inferType("123456789012.dkr.ecr.us-east-1.amazonaws.com/launch")).isEqualTo("ecr");
        assertThat(RegistryUri.inferType("https://us-central1-docker.pkg.dev/p/r/img")).isEqualTo("gcr");
        assertThat(RegistryUri.inferType("gcr.io/p/img")).isEqualTo("gcr");
        assertThat(RegistryUri.inferType("eu.gcr.io/p/img")).isEqualTo("gcr");
        assertThat(RegistryUri.inferType("myreg.azurecr.io/launch")).isEqualTo("acr");
        assertThat(RegistryUri.inferType("harbor.example.com:8443/team/app")).isEqualTo("generic");
        assertThat(RegistryUri.inferType("127.0.0.1:5000/app")).isEqualTo("generic");
    }

    @Test
    void parsesAnArtifactRegistryUriIntoHostRepositoryAndLocation() {
        RegistryUri uri = RegistryUri.parse("https://us-central1-docker.pkg.dev/my-project/launch/job");

        assertThat(uri.type()).isEqualTo("gcr");
        assertThat(uri.host()).isEqualTo("us-central1-docker.pkg.dev");
        assertThat(uri.repository()).isEqualTo("my-project/launch/job");
        assertThat(uri.region()).contains("us-central1");
        assertThat(uri.plainHttp()).isFalse();
        assertThat(uri.warning()).isEmpty();
    }

    @Test
    void parsesEcrAndAcrHostParts() {
        RegistryUri ecr = RegistryUri.parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/launch.images");
        assertThat(ecr.ecrAccount()).contains("123456789012");
        assertThat(ecr.region()).contains("eu-west-1");
        assertThat(ecr.repository()).isEqualTo("team/launch.images");

        RegistryUri acr = RegistryUri.parse("MyReg.azurecr.io/team/app");
        assertThat(acr.type()).isEqualTo("acr");
        assertThat(acr.acrName()).contains("myreg");
        assertThat(acr.repository()).isEqualTo("team/app");
    }

    @Test
    void refusesATagAndSaysWhy() {
        assertThatThrownBy(() -> RegistryUri.parse("myreg.azurecr.io/launch:v1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a tag (':v1')")
                .hasMessageContaining("the agent tags each image with a hash of its source");
        assertThatThrownBy(() -> RegistryUri.parse("127.0.0.1:5000/app@sha256:" + "a".repeat(64)))
                .hasMessageContaining("has a digest");
    }

    @Test
    void aPortIsNotMistakenForATag() {
        RegistryUri uri = RegistryUri.parse("http://127.0.0.1:5000/launch/job");

        assertThat(uri.host()).isEqualTo("127.0.0.1:5000");
        assertThat(uri.repository()).isEqualTo("launch/job");
        assertThat(uri.plainHttp()).isTrue();
        assertThat(uri.warning()).hasValueSatisfying(w -> assertThat(w).contains("Unable to recognize registry type"));
    }

    @Test
    void refusesIncompleteCloudUris() {
        assertThatThrownBy(() -> RegistryUri.parse("us-central1-docker.pkg.dev/my-project/launch"))
                .hasMessageContaining("needs a project, a repository and an image name");
        assertThatThrownBy(() -> RegistryUri.parse("gcr.io/my-project"))
                .hasMessageContaining("needs a project and an image name");
        assertThatThrownBy(() -> RegistryUri.parse("12345.dkr.ecr.us-east-1.amazonaws.com/launch"))
                .hasMessageContaining("<12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>");
        assertThatThrownBy(() -> RegistryUri.parse("myreg.azurecr.io"))
                .hasMessageContaining("names no repository");
        assertThatThrownBy(() -> RegistryUri.parse("registry.example.com/Team/App"))
                .hasMessageContaining("invalid repository 'Team/App'");
        assertThatThrownBy(() -> RegistryUri.parse(" "))
                .hasMessageContaining("is empty");
    }

    @Test
    void configErrorsNameTheKey() {
        ObjectNode block = JsonNodeFactory.instance.objectNode().put("uri", "myreg.azurecr.io/launch:latest");
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("registry", block);
        ConfigNode registry = ConfigNode.of(root, "launch-config.yaml").child("registry");

        assertThatThrownBy(() -> RegistryUri.parse(registry, "uri"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("launch-config.yaml: registry.uri: ")
                .hasMessageContaining("has a tag (':latest')");
    }

    @Test
    void refusesAUriOfAnotherRegistryType() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.putObject("registry").put("uri", "myreg.azurecr.io/launch");
        ConfigNode registry = ConfigNode.of(root, "launch-config.yaml").child("registry");

        assertThatThrownBy(() -> RegistryUri.parse(registry, "uri", "gcr", "an Artifact Registry or gcr.io"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.uri: 'myreg.azurecr.io/launch' is not an Artifact Registry or gcr.io "
                        + "repository (its host looks like type 'acr')");
    }
}
