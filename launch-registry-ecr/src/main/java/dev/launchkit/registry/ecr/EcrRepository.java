package dev.launchkit.registry.ecr;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ECR repository: {@code <account>.dkr.ecr.<region>.amazonaws.com/<name>} (also the {@code .amazonaws.com.cn}
 * and {@code dkr.ecr-fips} hosts).
 *
 * @param account the 12-digit registry (account) id
 * @param region  the region, e.g. {@code us-east-1}
 * @param name    the repository name; may contain {@code .}, {@code _}, {@code -} and {@code /}
 * @param host    the registry host
 */
public record EcrRepository(String account, String region, String name, String host) {
    /** Hosts of ECR registries; group 1 account, group 3 region. */
    static final Pattern HOST = Pattern.compile("(\\d{12})\\.dkr\\.ecr(-fips)?\\.([a-z]{2}(?:-[a-z]+)+-\\d+)"
            + "\\.amazonaws\\.com(\\.cn)?");
    private static final Pattern NAME = Pattern.compile(
            "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    private static final String ACCOUNT = "\\d{12}";
    private static final String REGION = "[a-z]{2}(-[a-z]+)+-\\d+";

    public EcrRepository {
        if (!account.matches(ACCOUNT)) {
            throw new IllegalArgumentException("'" + account + "' is not an AWS account id (12 digits)");
        }
        if (!region.matches(REGION)) {
            throw new IllegalArgumentException("'" + region + "' is not an AWS region id like us-east-1");
        }
        checkName(name);
    }

    /** The repository in the standard registry host of an account and region. */
    public static EcrRepository of(String account, String region, String name) {
        String suffix = region.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
        return new EcrRepository(account, region, name, account + ".dkr.ecr." + region + suffix);
    }

    /** Whether a repository URI (with or without {@code https://}, tag or digest) names an ECR registry host. */
    public static boolean isEcrUri(String uri) {
        if (uri == null) {
            return false;
        }
        String rest = stripScheme(uri.strip());
        int slash = rest.indexOf('/');
        return HOST.matcher(slash < 0 ? rest : rest.substring(0, slash)).matches();
    }

    /**
     * Parses {@code [https://]<account>.dkr.ecr.<region>.amazonaws.com/<repository>}.
     *
     * @throws IllegalArgumentException with the reason: not an ECR host, no repository, a tag or digest given, an
     *                                  invalid repository name
     */
    public static EcrRepository parse(String uri) {
        String rest = stripScheme(uri.strip());
        int slash = rest.indexOf('/');
        String host = slash < 0 ? rest : rest.substring(0, slash);
        Matcher m = HOST.matcher(host);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + uri + "' is not an ECR repository: expected "
                    + "<account>.dkr.ecr.<region>.amazonaws.com/<repository>");
        }
        String name = slash < 0 ? "" : rest.substring(slash + 1);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "' names no repository: expected "
                    + host + "/<repository>");
        }
        int at = name.indexOf('@');
        if (at >= 0) {
            throw new IllegalArgumentException("'" + uri + "' has a digest ('" + name.substring(at + 1) + "'); give "
                    + "the repository without it: the agent tags each image with a hash of its source");
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            throw new IllegalArgumentException("'" + uri + "' has a tag ('" + name.substring(colon + 1) + "'); give "
                    + "the repository without a tag (" + host + "/" + name.substring(0, colon) + "): the agent tags "
                    + "each image with a hash of its source");
        }
        return new EcrRepository(m.group(1), m.group(3), name, host);
    }

    /** {@code host/name}. */
    public String uri() {
        return host + "/" + name;
    }

    /** The AWS partition of the region: {@code aws}, {@code aws-cn} or {@code aws-us-gov}. */
    public String partition() {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    }

    /** The repository ARN, e.g. {@code arn:aws:ecr:us-east-1:123456789012:repository/launch}. */
    public String arn() {
        return "arn:" + partition() + ":ecr:" + region + ":" + account + ":repository/" + name;
    }

    private static void checkName(String name) {
        if (name.length() < 2 || name.length() > 256 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not an ECR repository name: use 2-256 lower-case "
                    + "letters, digits and . _ - separated by /, e.g. team/launch-images");
        }
    }

    private static String stripScheme(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            return uri.substring("https://".length());
        }
        return lower.startsWith("http://") ? uri.substring("http://".length()) : uri;
    }

    @Override
    public String toString() {
        return uri();
    }
}
