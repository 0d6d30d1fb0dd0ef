package dev.launchkit.k8s.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Object names and label values derived from run ids and agent names, safe for the API server.
 *
 * <p>Names follow RFC 1123 labels (lower-case letters, digits and {@code -}, at most 63 characters, alphanumeric at
 * both ends) and keep digits, unlike W&B's {@code make_name_dns_safe}. They are deterministic: the same run id
 * always gives the same name, so a resubmission of a run meets its earlier object (409) instead of creating a second
 * one. When sanitising changed the input or it had to be truncated, a short hash of the original is appended so two
 * different run ids never map to the same name.
 *
 * <pre>{@code
 * KubeNames.objectName("k3x9p2aa");         // launch-k3x9p2aa
 * KubeNames.objectName("Run_ID");           // launch-run-id-<8 hex>
 * KubeNames.labelValue("my agent/1");       // my-agent-1-<8 hex>
 * }</pre>
 */
public final class KubeNames {
    /** Longest RFC 1123 label, and longest label value. */
    public static final int MAX_LABEL = 63;
    /** Longest DNS subdomain (most object names). */
    public static final int MAX_SUBDOMAIN = 253;
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final int HASH_CHARS = 8;

    private KubeNames() {
    }

    /** The main object's name for a run: {@code launch-<run id>}, made RFC 1123-safe. */
    public static String objectName(String runId) {
        return dnsLabel("launch-" + runId);
    }

    /**
     * The main object's name for one attempt of a run: {@link #objectName(String)} for the first, and
     * {@code launch-<run id>-r<n>} for the n-th resume of a preempted run ({@code _resume_count}). The resumed
     * attempt keeps the run id but needs an object of its own: under the first name it would meet (409) and adopt
     * the preempted object, which is already over.
     */
    public static String objectName(String runId, int resumeCount) {
        return resumeCount <= 0 ? objectName(runId) : dnsLabel("launch-" + runId + "-r" + resumeCount);
    }

    /** The per-run API-key Secret: {@code wandb-api-key-<run id>}. */
    public static String apiKeySecretName(String runId) {
        return dnsLabel("wandb-api-key-" + runId);
    }

    /** The shared API-key Secret of a Helm release: {@code wandb-api-key-<release>}. */
    public static String releaseApiKeySecretName(String release) {
        return dnsLabel("wandb-api-key-" + release);
    }

    /** The per-run image pull Secret: {@code regcred-<run id>}. */
    public static String pullSecretName(String runId) {
        return dnsLabel("regcred-" + runId);
    }

    /**
     * {@code raw} as an RFC 1123 label: lower-cased, every other character replaced by {@code -}, dashes collapsed
     * and trimmed, at most 63 characters; with {@code -<hash>} appended when anything had to change.
     */
    public static String dnsLabel(String raw) {
        String lower = raw.toLowerCase(Locale.ROOT);
        String cleaned = lower.replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-").replaceAll("^-+|-+$", "");
        if (cleaned.equals(raw) && cleaned.length() <= MAX_LABEL && !cleaned.isEmpty()) {
            return cleaned;
        }
        return withHash(cleaned, raw, MAX_LABEL, "-");
    }

    /**
     * {@code raw} as a label value: letters, digits, {@code - _ .}, alphanumeric at both ends, at most 63
     * characters; with {@code -<hash>} appended when anything had to change. Case is kept.
     */
    public static String labelValue(String raw) {
        if (raw.length() <= MAX_LABEL && LABEL_VALUE.matcher(raw).matches()) {
            return raw;
        }
        String cleaned = raw.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
        return withHash(cleaned, raw, MAX_LABEL, "-");
    }

    /** Whether {@code name} is a valid RFC 1123 label (Job names, which become pod label values, must be). */
    public static boolean isDnsLabel(String name) {
        return name.length() <= MAX_LABEL && DNS_LABEL.matcher(name).matches();
    }

    /** Whether {@code name} is a valid DNS subdomain (most object names). */
    public static boolean isDnsSubdomain(String name) {
        return name.length() <= MAX_SUBDOMAIN && DNS_SUBDOMAIN.matcher(name).matches();
    }

    private static String withHash(String cleaned, String original, int max, String separator) {
        String hash = hash(original);
        int room = max - hash.length() - separator.length();
        String head = cleaned.length() > room ? cleaned.substring(0, room) : cleaned;
        head = head.replaceAll("[^A-Za-z0-9]+$", "");
        return head.isEmpty() ? hash : head + separator + hash;
    }

    private static String hash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
