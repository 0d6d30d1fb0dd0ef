package dev.launchkit.k8s.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Kubernetes API calls with retries on 429, 5xx and connection errors, and turns the server's refusals into
 * messages that quote it and say what to do (403: the missing RBAC rule; 422: the invalid fields).
 */
final class ApiCalls {
    private static final Logger LOG = LoggerFactory.getLogger(ApiCalls.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One API call. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws ApiException;
    }

    /**
     * What a call does, for messages: {@code create} {@code jobs.batch} {@code wandb/launch-x}.
     *
     * @param verb      the RBAC verb
     * @param resource  {@code plural.group}, or the plural alone for the core group
     * @param namespace the namespace
     * @param name      the object name; empty for collection calls
     */
    record Action(String verb, String resource, String namespace, String name) {
        String object() {
            return name.isEmpty() ? resource + " in namespace " + namespace : resource + " " + namespace + "/" + name;
        }
    }

    private final Backoff backoff;
    private final SecretMasker masker;
    private final Sleeper sleeper;

    /** Waits between attempts; a seam so tests need not wait for real. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    ApiCalls(Backoff backoff, SecretMasker masker) {
        this(backoff, masker, d -> Thread.sleep(d.toMillis()));
    }

    ApiCalls(Backoff backoff, SecretMasker masker, Sleeper sleeper) {
        this.backoff = backoff;
        this.masker = masker;
        this.sleeper = sleeper;
    }

    /** Runs the call, retrying transient failures; other failures are thrown as they are. */
    <T> T retrying(Action action, Call<T> call) throws ApiException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (ApiException e) {
                if (!isTransient(e) || attempt >= backoff.attempts()) {
                    throw e;
                }
                Duration delay = retryAfter(e).orElse(backoff.delayAfter(attempt));
                if (delay.compareTo(backoff.max()) > 0) {
                    delay = backoff.max();
                }
                LOG.warn("{} {} failed ({}), retrying in {} ms (attempt {} of {})", action.verb(), action.object(),
                        e.getCode() == 0 ? masker.mask(String.valueOf(e.getMessage())) : "HTTP " + e.getCode(),
                        delay.toMillis(), attempt + 1, backoff.attempts());
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new LaunchException(Stage.RUN, "interrupted while retrying to " + action.verb() + " "
                            + action.object(), ie);
                }
            }
        }
    }

    static boolean isTransient(ApiException e) {
        return e.getCode() == 0 || e.getCode() == 429 || e.getCode() >= 500;
    }

    private static java.util.Optional<Duration> retryAfter(ApiException e) {
        Map<String, List<String>> headers = e.getResponseHeaders();
        if (headers == null) {
            return java.util.Optional.empty();
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase("Retry-After") && !h.getValue().isEmpty()) {
                try {
                    return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(h.getValue().get(0).strip())));
                } catch (NumberFormatException ignored) {
                    return java.util.Optional.empty();
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** The failure of a call as a {@link LaunchException} quoting the server and saying what to do. */
    LaunchException failure(Action action, ApiException e, Stage stage) {
        return new LaunchException(stage, masker.mask(describe(action, e)), e);
    }

    static String describe(Action action, ApiException e) {
        Status status = Status.of(e);
        String what = "could not " + action.verb() + " " + action.object();
        String server = status.message().isEmpty() ? "" : ": " + status.message();
        return switch (e.getCode()) {
            case 0 -> what + ": the Kubernetes API server could not be reached (" + e.getMessage()
                    + "). Check the kubeconfig / in-cluster configuration and the network";
            case 401 -> what + " (401 Unauthorized" + server + "). The agent's credentials were refused: check its "
                    + "kubeconfig user or service account token";
            case 403 -> what + " (403 Forbidden" + server + "). The agent's identity lacks the RBAC verb '"
                    + action.verb() + "' on '" + action.resource() + "' in namespace '" + action.namespace()
                    + "': add it to the agent's Role there (Helm: list the namespace in additionalTargetNamespaces; "
                    + "custom resources need a rule for their API group)";
            case 404 -> what + " (404 Not Found" + server + "). Check that namespace '" + action.namespace()
                    + "' exists and that the cluster serves " + action.resource();
            case 409 -> what + " (409 Conflict" + server + ")";
            case 422 -> what + " (422 Invalid" + server + ")" + status.causes()
                    + ". Fix the queue's resource config";
            default -> what + " (HTTP " + e.getCode() + server + ")";
        };
    }

    /** The parts of a Kubernetes {@code Status} body that messages quote. */
    private record Status(String message, String causes) {
        static Status of(ApiException e) {
            String body = e.getResponseBody();
            if (body == null || body.isBlank()) {
                return new Status("", "");
            }
            try {
                JsonNode s = JSON.readTree(body);
                List<String> causes = new ArrayList<>();
                for (JsonNode c : s.path("details").path("causes")) {
                    String field = c.path("field").asText("");
                    causes.add((field.isEmpty() ? "" : field + ": ") + c.path("message").asText(""));
                }
                return new Status(s.path("message").asText(""), causes.isEmpty() ? ""
                        : "; invalid: " + String.join("; ", causes));
            } catch (java.io.IOException notJson) {
                String text = body.strip();
                return new Status(text.length() > 300 ? text.substring(0, 300) + "…" : text, "");
            }
        }
    }

    /** {@code jobs.batch}, or {@code secrets} for the core group. */
    static String resource(String plural, String group) {
        return group.isEmpty() ? plural : plural + "." + group.toLowerCase(Locale.ROOT);
    }
}
