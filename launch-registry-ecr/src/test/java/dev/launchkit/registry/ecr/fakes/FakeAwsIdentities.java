package dev.launchkit.registry.ecr.fakes;

import com.sun.net.httpserver.HttpExchange;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IAM side shared by {@link FakeEcr} and {@link FakeSts}: which access keys exist, whom they belong to, which
 * actions each may not perform, and which have expired.
 *
 * <p>The fakes identify callers by the access key id in the SigV4 {@code Authorization} header
 * ({@code Credential=<key>/<date>/<region>/<service>/aws4_request}) and the {@code X-Amz-Security-Token} header of
 * session credentials. They do not recompute signatures: the point is to exercise the plugin's handling of who is
 * calling and of the service's refusals, not SigV4 itself (which s3proxy does check, for S3).
 */
public final class FakeAwsIdentities {
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/");

    /** A caller. */
    public record Identity(String accessKeyId, String secretAccessKey, String sessionToken, String arn,
                           Set<String> deniedActions, boolean expired) {
        public String account() {
            return arn.split(":")[4];
        }
    }

    /** Why a request is refused. */
    public enum Refusal { UNKNOWN_KEY, EXPIRED, DENIED }

    /** Outcome of {@link #authorize}: the caller, or the refusal. */
    public record Decision(Optional<Identity> identity, Optional<Refusal> refusal, String accessKeyId) {
    }

    private final Map<String, Identity> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private final java.util.List<String> seenKeys = new CopyOnWriteArrayList<>();

    /** Adds long-term credentials. */
    public Identity add(String accessKeyId, String secretAccessKey, String arn) {
        Identity id = new Identity(accessKeyId, secretAccessKey, "", arn, Set.of(), false);
        byKey.put(accessKeyId, id);
        return id;
    }

    /** Forbids an action (e.g. {@code ecr:DescribeRepositories}) to a key. */
    public void deny(String accessKeyId, String action) {
        byKey.computeIfPresent(accessKeyId, (k, id) -> {
            java.util.Set<String> denied = new java.util.HashSet<>(id.deniedActions());
            denied.add(action);
            return new Identity(id.accessKeyId(), id.secretAccessKey(), id.sessionToken(), id.arn(),
                    Set.copyOf(denied), id.expired());
        });
    }

    /** Marks a key's session as expired. */
    public void expire(String accessKeyId) {
        byKey.computeIfPresent(accessKeyId, (k, id) -> new Identity(id.accessKeyId(), id.secretAccessKey(),
                id.sessionToken(), id.arn(), id.deniedActions(), true));
    }

    /** Issues temporary credentials (as STS does) for an assumed-role ARN. */
    public Identity issueSession(String arn) {
        int n = sessions.incrementAndGet();
        Identity id = new Identity(String.format("ASIAFAKESESSION%05d", n), "session-secret-" + n + "-x7Yq",
                "session-token-" + n + "-IQoJb3JpZ2luX2Vj", arn, Set.of(), false);
        byKey.put(id.accessKeyId(), id);
        return id;
    }

    /** Access key ids seen in requests, in order. */
    public java.util.List<String> seenKeys() {
        return java.util.List.copyOf(seenKeys);
    }

    /** Decides whether the request's caller may perform {@code action}. */
    public Decision authorize(HttpExchange exchange, String action) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher m = auth == null ? null : CREDENTIAL.matcher(auth);
        if (m == null || !m.find()) {
            return new Decision(Optional.empty(), Optional.of(Refusal.UNKNOWN_KEY), "");
        }
        String key = m.group(1);
        seenKeys.add(key);
        Identity id = byKey.get(key);
        String token = exchange.getRequestHeaders().getFirst("X-Amz-Security-Token");
        if (id == null || !id.sessionToken().equals(token == null ? "" : token)) {
            return new Decision(Optional.empty(), Optional.of(Refusal.UNKNOWN_KEY), key);
        }
        if (id.expired()) {
            return new Decision(Optional.of(id), Optional.of(Refusal.EXPIRED), key);
        }
        if (id.deniedActions().contains(action)) {
            return new Decision(Optional.of(id), Optional.of(Refusal.DENIED), key);
        }
        return new Decision(Optional.of(id), Optional.empty(), key);
    }
}
