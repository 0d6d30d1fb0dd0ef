package dev.launchkit.registry.gcr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchkit.core.registry.testing.DependencyWeight;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Prints the weight of this plugin's runtime closure (also written to {@code target/dependency-weight.txt}) and
 * keeps foreign HTTP stacks out: Google's clients run on google-http-client's JDK transport, the registry client on
 * java.net.http. The budget catches a dependency bump that drags the gRPC transport back in.
 */
class DependencyWeightTest {

    @Test
    void runtimeClosureHasNoSecondHttpStackAndStaysWithinBudget() throws Exception {
        DependencyWeight weight = DependencyWeight.ofThisModule();
        String report = weight.report("launch-registry-gcr");
        System.out.println(report);
        Files.writeString(Path.of("target", "dependency-weight.txt"), report);

        assertThat(weight.foreignHttpStacks()).isEmpty();
        assertThat(weight.jars()).hasSizeLessThanOrEqualTo(60);
        assertThat(weight.bytes()).isLessThan(30L * 1024 * 1024);
    }

    @Test
    void nettyAndTheGrpcTransportAreNotOnTheClasspath() {
        assertThatThrownBy(() -> Class.forName("io.netty.channel.Channel")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.grpc.netty.shaded.io.netty.channel.Channel"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.apache.http.impl.client.HttpClients"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
