package dev.launchkit.registry.ecr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpService;

/**
 * What the plugin adds to an agent: its main runtime classpath (written by maven-dependency-plugin's
 * {@code build-classpath} in generate-test-resources) is printed with jar sizes, and must hold exactly one HTTP
 * stack, the JDK URLConnection client: no Netty, no Apache HttpClient 4 or 5.
 */
class DependencyWeightTest {
    private static final Path CLASSPATH = Path.of("target", "runtime-classpath.txt");
    private static final List<String> FORBIDDEN_PACKAGES = List.of("io/netty/", "org/apache/http/", "org/apache/hc/");
    /** Budget for the AWS SDK jars (measured 11.1 MB in 34 jars for ecr + s3 + sts + url-connection-client 2.59.1). */
    private static final long AWS_BUDGET_BYTES = 14L * 1024 * 1024;

    private record Jar(Path path, long bytes) {
        String name() {
            return path.getFileName().toString();
        }

        boolean aws() {
            return path.toString().contains("/software/amazon/") || name().startsWith("reactive-streams");
        }
    }

    private static List<Jar> runtimeJars() throws Exception {
        assertThat(CLASSPATH).as("run the tests through Maven: generate-test-resources writes " + CLASSPATH)
                .exists();
        List<Jar> jars = new ArrayList<>();
        for (String entry : Files.readString(CLASSPATH).strip().split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                jars.add(new Jar(p, Files.size(p)));
            }
        }
        jars.sort(Comparator.comparingLong(Jar::bytes).reversed());
        return jars;
    }

    @Test
    void printsTheRuntimeJarsAndTheirWeight() throws Exception {
        List<Jar> jars = runtimeJars();
        long total = jars.stream().mapToLong(Jar::bytes).sum();
        List<Jar> aws = jars.stream().filter(Jar::aws).toList();
        long awsBytes = aws.stream().mapToLong(Jar::bytes).sum();

        StringBuilder report = new StringBuilder("launch-registry-ecr runtime classpath (besides launch-core):\n");
        jars.forEach(j -> report.append(String.format("  %8.1f KB  %s%n", j.bytes() / 1024.0, j.name())));
        report.append(String.format("  total: %d jars, %.1f MB; AWS SDK part: %d jars, %.1f MB%n", jars.size(),
                total / 1048576.0, aws.size(), awsBytes / 1048576.0));
        System.out.print(report);

        assertThat(jars).extracting(Jar::name).anyMatch(n -> n.startsWith("url-connection-client-"));
        assertThat(awsBytes).as("AWS SDK jars, bytes").isLessThan(AWS_BUDGET_BYTES);
    }

    @Test
    void noNettyOrApacheHttpClassesAreOnTheRuntimeClasspath() throws Exception {
        List<String> offending = new ArrayList<>();
        for (Jar jar : runtimeJars()) {
            try (JarFile f = new JarFile(jar.path().toFile())) {
                f.stream().map(java.util.jar.JarEntry::getName)
                        .filter(n -> FORBIDDEN_PACKAGES.stream().anyMatch(n::startsWith))
                        .findFirst().ifPresent(n -> offending.add(jar.name() + " (" + n + ")"));
            }
        }

        assertThat(offending).isEmpty();
        assertThat(runtimeJars()).extracting(Jar::name)
                .noneMatch(n -> n.startsWith("netty-nio-client") || n.startsWith("apache-client")
                        || n.startsWith("apache5-client"));
    }

    @Test
    void theOnlyHttpClientTheSdkCanFindIsUrlConnection() throws Exception {
        List<Jar> jars = runtimeJars();
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).path().toUri().toURL();
        }
        // Only the plugin's runtime jars: the test classpath has s3proxy's Apache client, the agent's will not.
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> spi = loader.loadClass(SdkHttpService.class.getName());
            List<String> services = new ArrayList<>();
            ServiceLoader.load(spi, loader).stream().forEach(p -> services.add(p.type().getName()));

            assertThat(services).containsExactly(
                    "software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
        }
    }
}
