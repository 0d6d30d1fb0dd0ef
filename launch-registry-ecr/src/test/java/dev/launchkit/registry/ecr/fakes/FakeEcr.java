package dev.launchkit.registry.ecr.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A protocol-level fake of the Amazon ECR API, enough for the {@code ecr} registry.
 *
 * <p>Follows the public references: the Amazon ECR API Reference, API version 2015-09-21
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/ — actions GetAuthorizationToken, DescribeImages,
 * DescribeRepositories, their data types AuthorizationData, ImageDetail, Repository, and "Common Errors"), spoken
 * over the AWS JSON 1.1 protocol (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html): {@code POST /},
 * {@code X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Action>}, {@code Content-Type:
 * application/x-amz-json-1.1}, timestamps as epoch seconds, errors as HTTP 400 with {@code "__type"}.
 *
 * <p>Callers are identified through {@link FakeAwsIdentities}. Tokens expire after {@link #tokenLifetime} (12 h as
 * on AWS) measured on the given clock, so tests can move time.
 */
public final class FakeEcr implements AutoCloseable {
    private static final String PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeAwsIdentities identities;
    private final String region;
    private final Clock clock;
    private final Map<String, Set<String>> repositories = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokens = new AtomicInteger();
    private final LocalHttp http;
    private volatile Duration tokenLifetime = Duration.ofHours(12);
    private volatile String lastPassword = "";

    public FakeEcr(FakeAwsIdentities identities, String region, Clock clock) {
        this.identities = identities;
        this.region = region;
        this.clock = clock;
        this.http = new LocalHttp(this::handle);
    }

    public URI uri() {
        return http.uri();
    }

    /** Creates a repository holding the given tags. */
    public void repository(String name, String... tags) {
        repositories.put(name, ConcurrentHashMap.newKeySet());
        repositories.get(name).addAll(List.of(tags));
    }

    public void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** The password inside the last token issued. */
    public String lastPassword() {
        return lastPassword;
    }

    /** How many tokens were issued. */
    public int tokensIssued() {
        return tokens.get();
    }

    /** The actions called, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String action = target != null && target.startsWith(PREFIX) ? target.substring(PREFIX.length()) : "";
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        calls.add(action);
        if (!"POST".equals(exchange.getRequestMethod()) || action.isEmpty()) {
            error(exchange, "UnknownOperationException", "");
            return;
        }
        FakeAwsIdentities.Decision decision = identities.authorize(exchange, "ecr:" + action);
        if (decision.refusal().isPresent()) {
            switch (decision.refusal().get()) {
                case UNKNOWN_KEY -> error(exchange, "UnrecognizedClientException",
                        "The security token included in the request is invalid.");
                case EXPIRED -> error(exchange, "ExpiredTokenException",
                        "The security token included in the request is expired");
                case DENIED -> error(exchange, "AccessDeniedException", "User: " + decision.identity().get().arn()
                        + " is not authorized to perform: ecr:" + action + " on resource: "
                        + resourceArn(decision.identity().get().account(), body.path("repositoryName").asText("*"))
                        + " because no identity-based policy allows the ecr:" + action + " action");
            }
            return;
        }
        String account = decision.identity().get().account();
        switch (action) {
            case "GetAuthorizationToken" -> getAuthorizationToken(exchange, account);
            case "DescribeRepositories" -> describeRepositories(exchange, account, body);
            case "DescribeImages" -> describeImages(exchange, account, body);
            default -> error(exchange, "UnknownOperationException", "unknown operation " + action);
        }
    }

    private void getAuthorizationToken(HttpExchange exchange, String account) throws IOException {
        int n = tokens.incrementAndGet();
        String password = "ecr-password-" + n + "-eyJwYXlsb2FkIjoi";
        lastPassword = password;
        ObjectNode data = JSON.createObjectNode();
        data.put("authorizationToken", Base64.getEncoder()
                .encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8)));
        data.put("expiresAt", clock.instant().plus(tokenLifetime).toEpochMilli() / 1000.0);
        data.put("proxyEndpoint", "https://" + account + ".dkr.ecr." + region + ".amazonaws.com");
        ObjectNode out = JSON.createObjectNode();
        out.putArray("authorizationData").add(data);
        ok(exchange, out);
    }

    private void describeRepositories(HttpExchange exchange, String caller, JsonNode body) throws IOException {
        String registry = body.path("registryId").asText(caller);
        ArrayNode repos = JSON.createArrayNode();
        for (JsonNode name : body.path("repositoryNames")) {
            if (!registry.equals(caller) || !repositories.containsKey(name.asText())) {
                error(exchange, "RepositoryNotFoundException", "The repository with name '" + name.asText()
                        + "' does not exist in the registry with id '" + registry + "'");
                return;
            }
            ObjectNode r = repos.addObject();
            r.put("repositoryArn", resourceArn(registry, name.asText()));
            r.put("registryId", registry);
            r.put("repositoryName", name.asText());
            r.put("repositoryUri", registry + ".dkr.ecr." + region + ".amazonaws.com/" + name.asText());
            r.put("createdAt", 1.7E9);
            r.put("imageTagMutability", "MUTABLE");
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("repositories", repos);
        ok(exchange, out);
    }

    private void describeImages(HttpExchange exchange, String caller, JsonNode body) throws IOException {
        String registry = body.path("registryId").asText(caller);
        String name = body.path("repositoryName").asText();
        Set<String> tags = repositories.get(name);
        if (!registry.equals(caller) || tags == null) {
            error(exchange, "RepositoryNotFoundException", "The repository with name '" + name
                    + "' does not exist in the registry with id '" + registry + "'");
            return;
        }
        ArrayNode details = JSON.createArrayNode();
        for (JsonNode id : body.path("imageIds")) {
            String tag = id.path("imageTag").asText();
            if (!tags.contains(tag)) {
                error(exchange, "ImageNotFoundException", "The image with imageId {imageDigest:'null', imageTag:'"
                        + tag + "'} does not exist within the repository with name '" + name
                        + "' in the registry with id '" + registry + "'");
                return;
            }
            ObjectNode d = details.addObject();
            d.put("registryId", registry);
            d.put("repositoryName", name);
            d.put("imageDigest", "sha256:" + "a".repeat(64));
            d.putArray("imageTags").add(tag);
            d.put("imageSizeInBytes", 1234);
            d.put("imagePushedAt", 1.7E9);
            d.put("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json");
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("imageDetails", details);
        ok(exchange, out);
    }

    private String resourceArn(String account, String repository) {
        return "arn:aws:ecr:" + region + ":" + account + ":repository/" + repository;
    }

    private static void ok(HttpExchange exchange, JsonNode body) throws IOException {
        LocalHttp.send(exchange, 200, "application/x-amz-json-1.1", body.toString());
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("__type", type);
        out.put("message", message);
        LocalHttp.send(exchange, 400, "application/x-amz-json-1.1", out.toString());
    }

    @Override
    public void close() {
        http.close();
    }
}
