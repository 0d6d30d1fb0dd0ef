package dev.launchkit.testkit.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** The faults in force plus their random source and counters; one per {@link SimulatedCluster#injectFaults} call. */
final class FaultPlan {
    static final FaultPlan NONE = new FaultPlan(new Faults(0, java.util.List.of(), java.util.Optional.empty(),
            false, 0));

    /** An injected failure: HTTP {@code code}, or (inStream) a watch ERROR event holding {@code body}. */
    record Failure(int code, String reason, String body, Map<String, String> headers, boolean inStream) {
    }

    private final Faults faults;
    private final Random random;
    private final Map<Integer, Long> statuses = new HashMap<>();
    private final Set<String> expired = new HashSet<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong gone = new AtomicLong();

    FaultPlan(Faults faults) {
        this.faults = faults;
        this.random = new Random(faults.seed());
    }

    /** A plan injecting nothing that still reports this plan's counts. */
    FaultPlan cleared() {
        FaultPlan none = new FaultPlan(NONE.faults);
        synchronized (this) {
            none.statuses.putAll(statuses);
        }
        none.dropped.set(dropped.get());
        none.gone.set(gone.get());
        return none;
    }

    Faults faults() {
        return faults;
    }

    /** The error a plain request gets, or null to serve it. */
    synchronized Failure failRequest() {
        if (faults.errorRate() <= 0 || random.nextDouble() >= faults.errorRate()) {
            return null;
        }
        int code = faults.statuses().get(random.nextInt(faults.statuses().size()));
        statuses.merge(code, 1L, Long::sum);
        return error(code);
    }

    /** The failure a watch gets before it opens, or null to open it. */
    synchronized Failure failWatch(String resourceVersion) {
        if (faults.goneOnResume() && resourceVersion != null && !resourceVersion.isEmpty()
                && !"0".equals(resourceVersion) && expired.add(resourceVersion)) {
            gone.incrementAndGet();
            return new Failure(410, "Gone", status(410, "Expired", "too old resource version: " + resourceVersion
                    + " (" + (parse(resourceVersion) + 1) + ")"), Map.of(), true);
        }
        return failRequest();
    }

    void countDropped(int n) {
        dropped.addAndGet(n);
    }

    synchronized FaultCounts counts() {
        return new FaultCounts(statuses, dropped.get(), gone.get());
    }

    static Failure error(int code) {
        String reason = switch (code) {
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            case 409 -> "Conflict";
            case 404 -> "NotFound";
            case 403 -> "Forbidden";
            case 401 -> "Unauthorized";
            default -> code >= 500 ? "InternalError" : "BadRequest";
        };
        String message = switch (code) {
            case 429 -> "the server has received too many requests and has asked us to try again later";
            case 503 -> "the server is currently unable to handle the request";
            case 504 -> "the server was unable to return a response in the time allotted, but may still be processing"
                    + " the request";
            default -> code >= 500 ? "an error on the server (\\\"injected fault\\\") has prevented the request from"
                    + " succeeding" : "injected fault";
        };
        Map<String, String> headers = code == 429 || code == 503 ? Map.of("Retry-After", "1") : Map.of();
        return new Failure(code, reason, status(code, reason, message), headers, false);
    }

    static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    private static long parse(String resourceVersion) {
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
