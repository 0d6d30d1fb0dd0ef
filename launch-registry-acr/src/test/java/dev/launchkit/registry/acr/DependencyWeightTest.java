package dev.launchkit.registry.acr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientProvider;
import dev.launchkit.core.registry.testing.DependencyWeight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * Prints the weight of this plugin's runtime closure (also written to {@code target/dependency-weight.txt}) and
 * checks that azure-core runs on the JDK HTTP client alone: azure-core-http-netty is excluded, so Netty and
 * reactor-netty must not be anywhere.
 */
class DependencyWeightTest {

    @Test
    void runtimeClosureHasNoNettyAndStaysWithinBudget() throws Exception {
        DependencyWeight weight = DependencyWeight.ofThisModule();
        String report = weight.report("launch-registry-acr");
        System.out.println(report);
        Files.writeString(Path.of("target", "dependency-weight.txt"), report);

        assertThat(weight.foreignHttpStacks()).isEmpty();
        assertThat(weight.jars()).hasSizeLessThanOrEqualTo(35);
        assertThat(weight.bytes()).isLessThan(20L * 1024 * 1024);
    }

    @Test
    void theOnlyAzureHttpClientIsTheJdkOne() {
        assertThat(ServiceLoader.load(com.azure.core.http.HttpClientProvider.class).stream()
                .map(p -> p.type().getName()).toList())
                .containsExactly(JdkHttpClientProvider.class.getName());
        assertThat(HttpClient.createDefault().getClass().getName()).contains("jdk");
        assertThatThrownBy(() -> Class.forName("io.netty.channel.Channel")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("reactor.netty.http.client.HttpClient"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
