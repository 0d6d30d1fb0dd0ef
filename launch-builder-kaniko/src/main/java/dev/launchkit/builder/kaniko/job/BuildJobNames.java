package dev.launchkit.builder.kaniko.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names of the objects of one build. The Job is {@code <build-job-name>-<run_id>} (W&B), made a valid RFC 1123
 * label of at most 63 characters (the Job controller copies it into the pods' {@code job-name} label, which has
 * that limit): lower case, other characters replaced by {@code -}, and when too long cut with a hash of the full
 * name so two long names stay distinct.
 */
public final class BuildJobNames {
    static final int MAX = 63;

    private BuildJobNames() {
    }

    /** {@code <prefix>-<runId>}, RFC 1123-safe. */
    public static String jobName(String prefix, String runId) {
        String raw = (prefix + "-" + runId).toLowerCase(Locale.ROOT);
        String name = raw.replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-").replaceAll("^-+|-+$", "");
        if (name.isEmpty()) {
            name = "build";
        }
        if (name.length() > MAX) {
            String hash = hash(raw);
            name = name.substring(0, MAX - hash.length() - 1).replaceAll("-+$", "") + "-" + hash;
        }
        if (!Character.isLetterOrDigit(name.charAt(0))) {
            name = "b" + name.substring(1);
        }
        return name;
    }

    /** The ConfigMap or Secret holding the Kaniko docker config of a build Job. */
    public static String dockerConfig(String jobName) {
        return jobName + "-docker-config";
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
