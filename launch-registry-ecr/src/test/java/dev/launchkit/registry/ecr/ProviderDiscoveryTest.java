package dev.launchkit.registry.ecr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchkit.core.EnvironmentProvider;
import dev.launchkit.core.RegistryProvider;
import dev.launchkit.core.plugin.Plugins;
import dev.launchkit.registry.ecr.aws.AwsEnvironmentProvider;
import org.junit.jupiter.api.Test;

class ProviderDiscoveryTest {

    @Test
    void registersTheEcrRegistryAndTheAwsEnvironmentWithTheServiceLoader() {
        Plugins<RegistryProvider> registries = Plugins.load(RegistryProvider.class, "registry");
        Plugins<EnvironmentProvider> environments = Plugins.load(EnvironmentProvider.class, "environment");

        assertThat(registries.find("ecr")).get().isInstanceOf(EcrRegistryProvider.class);
        assertThat(environments.find("aws")).get().isInstanceOf(AwsEnvironmentProvider.class);
    }

    @Test
    void theEcrProviderIsTheOneInferredFromAnEcrDestination() {
        Plugins<RegistryProvider> registries = Plugins.load(RegistryProvider.class, "registry");

        assertThat(registries.all().stream().filter(p -> p.handles("123456789012.dkr.ecr.us-east-1.amazonaws.com/x")))
                .extracting(RegistryProvider::type).containsExactly("ecr");
        assertThat(registries.all().stream().filter(p -> p.handles("ghcr.io/org/x"))).isEmpty();
    }
}
