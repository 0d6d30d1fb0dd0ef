package dev.launchkit.registry.ecr.fakes;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A protocol-level fake of AWS STS: {@code GetCallerIdentity} and {@code AssumeRoleWithWebIdentity}.
 *
 * <p>Follows the public references: the AWS Security Token Service API Reference, version 2011-06-15
 * (https://docs.aws.amazon.com/STS/latest/APIReference/ — GetCallerIdentity, AssumeRoleWithWebIdentity, "Common
 * Errors"), spoken over the AWS Query protocol (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html): a
 * form-encoded {@code POST /} with {@code Action} and {@code Version}, XML responses in the
 * {@code https://sts.amazonaws.com/doc/2011-06-15/} namespace, errors as {@code <ErrorResponse><Error>}.
 *
 * <p>{@code AssumeRoleWithWebIdentity} is unsigned (as on AWS); it accepts one role ARN and one token (the projected
 * service-account token of IRSA) and issues session credentials through {@link FakeAwsIdentities}.
 */
public final class FakeSts implements AutoCloseable {
    private static final String NS = "https://sts.amazonaws.com/doc/2011-06-15/";

    private final FakeAwsIdentities identities;
    private final LocalHttp http;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile String webIdentityRole = "";
    private volatile String webIdentityToken = "";

    public FakeSts(FakeAwsIdentities identities) {
        this.identities = identities;
        this.http = new LocalHttp(this::handle);
    }

    public URI uri() {
        return http.uri();
    }

    /** Accepts {@code token} for {@code roleArn} in AssumeRoleWithWebIdentity. */
    public void trustWebIdentity(String roleArn, String token) {
        this.webIdentityRole = roleArn;
        this.webIdentityToken = token;
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String action = form.getOrDefault("Action", "");
        calls.add(action);
        switch (action) {
            case "GetCallerIdentity" -> getCallerIdentity(exchange);
            case "AssumeRoleWithWebIdentity" -> assumeRoleWithWebIdentity(exchange, form);
            default -> error(exchange, 400, "InvalidAction", "Could not find operation " + action);
        }
    }

    private void getCallerIdentity(HttpExchange exchange) throws IOException {
        FakeAwsIdentities.Decision d = identities.authorize(exchange, "sts:GetCallerIdentity");
        if (d.refusal().isPresent()) {
            switch (d.refusal().get()) {
                case UNKNOWN_KEY -> error(exchange, 403, "InvalidClientTokenId",
                        "The security token included in the request is invalid.");
                case EXPIRED -> error(exchange, 400, "ExpiredToken",
                        "The security token included in the request is expired");
                // GetCallerIdentity needs no permission: a deny never applies to it.
                case DENIED -> respondIdentity(exchange, d.identity().get());
            }
            return;
        }
        respondIdentity(exchange, d.identity().get());
    }

    private void respondIdentity(HttpExchange exchange, FakeAwsIdentities.Identity id) throws IOException {
        ok(exchange, "<GetCallerIdentityResponse xmlns=\"" + NS + "\"><GetCallerIdentityResult>"
                + "<Arn>" + id.arn() + "</Arn><UserId>AIDAFAKEUSERID</UserId><Account>" + id.account() + "</Account>"
                + "</GetCallerIdentityResult><ResponseMetadata><RequestId>" + java.util.UUID.randomUUID()
                + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
    }

    private void assumeRoleWithWebIdentity(HttpExchange exchange, Map<String, String> form) throws IOException {
        String role = form.getOrDefault("RoleArn", "");
        if (webIdentityToken.isEmpty() || !webIdentityToken.equals(form.get("WebIdentityToken"))) {
            error(exchange, 400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity "
                    + "provider");
            return;
        }
        if (!role.equals(webIdentityRole)) {
            error(exchange, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
            return;
        }
        String[] arn = role.split(":");
        String session = form.getOrDefault("RoleSessionName", "session");
        String assumed = "arn:aws:sts::" + arn[4] + ":assumed-role/" + arn[5].substring("role/".length()) + "/"
                + session;
        FakeAwsIdentities.Identity id = identities.issueSession(assumed);
        Instant expiration = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        ok(exchange, "<AssumeRoleWithWebIdentityResponse xmlns=\"" + NS + "\"><AssumeRoleWithWebIdentityResult>"
                + "<Credentials><AccessKeyId>" + id.accessKeyId() + "</AccessKeyId><SecretAccessKey>"
                + id.secretAccessKey() + "</SecretAccessKey><SessionToken>" + id.sessionToken() + "</SessionToken>"
                + "<Expiration>" + expiration + "</Expiration></Credentials>"
                + "<SubjectFromWebIdentityToken>system:serviceaccount:wandb:launch-agent</SubjectFromWebIdentityToken>"
                + "<AssumedRoleUser><Arn>" + assumed + "</Arn><AssumedRoleId>AROAFAKEROLEID:" + session
                + "</AssumedRoleId></AssumedRoleUser><Provider>oidc.eks.us-east-1.amazonaws.com/id/FAKE</Provider>"
                + "<Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult>"
                + "<ResponseMetadata><RequestId>" + java.util.UUID.randomUUID() + "</RequestId></ResponseMetadata>"
                + "</AssumeRoleWithWebIdentityResponse>");
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void ok(HttpExchange exchange, String xml) throws IOException {
        LocalHttp.send(exchange, 200, "text/xml", xml);
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        LocalHttp.send(exchange, status, "text/xml", "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type>"
                + "<Code>" + code + "</Code><Message>" + message + "</Message></Error><RequestId>"
                + java.util.UUID.randomUUID() + "</RequestId></ErrorResponse>");
    }

    @Override
    public void close() {
        http.close();
    }
}
