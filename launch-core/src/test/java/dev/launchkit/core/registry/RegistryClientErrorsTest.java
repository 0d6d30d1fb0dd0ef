package dev.launchkit.core.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.RegistryCredentials;
import dev.launchkit.core.registry.testing.TokenAuthServer;
import dev.launchkit.core.registry.testing.Tools;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers docker-registry never gives (403, 5xx, a 401 without a challenge), from a small server that follows the
 * error format of the OCI distribution spec ("Error Codes": {@code {"errors":[{"code","message","detail"}]}}), and a
 * registry that is not there at all.
 */
class RegistryClientErrorsTest {
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v2/denied/", e -> TokenAuthServer.send(e, 403,
                "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"}]}"));
        server.createContext("/v2/broken/", e -> TokenAuthServer.send(e, 503,
                "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"service unavailable\"}]}"));
        server.createContext("/v2/nochallenge/", e -> TokenAuthServer.send(e, 401, ""));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private RegistryClient client() {
        return RegistryClient.builder("registry.example.com")
                .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .credentials(() -> Optional.of(new RegistryCredentials("registry.example.com", "bot", "pw-123456",
                        null)))
                .build();
    }

    @Test
    void a403NamesTheRegistryTheRepositoryAndTheMissingPermission() {
        assertThatThrownBy(() -> client().checkRepository("denied/app", "pull,push"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("registry registry.example.com denied access to repository 'denied/app'")
                .hasMessageContaining("HTTP 403 DENIED requested access to the resource is denied")
                .hasMessageContaining("grant them pull");
    }

    @Test
    void aServerErrorIsReportedWithTheRegistrysErrorCode() {
        assertThatThrownBy(() -> client().checkRepository("broken/app", "pull"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("registry registry.example.com answered HTTP 503 UNAVAILABLE service unavailable"
                        + " for repository 'broken/app'");
    }

    @Test
    void a401WithoutAChallengeSaysSo() {
        assertThatThrownBy(() -> client().manifestExists("nochallenge/app", "v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("without saying how to authenticate");
    }

    @Test
    void aRegistryThatIsNotListeningIsReportedAsUnreachable() {
        int port = Tools.freePort();
        RegistryClient client = RegistryClient.builder("127.0.0.1:" + port).plainHttp(true).build();

        assertThatThrownBy(() -> client.manifestExists("app", "v1"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("cannot reach registry 127.0.0.1:" + port + " at http://127.0.0.1:" + port)
                .hasMessageContaining("connection refused");
    }
}
