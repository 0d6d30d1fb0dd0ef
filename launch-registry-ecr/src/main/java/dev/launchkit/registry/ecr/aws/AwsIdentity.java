package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.SecretMasker;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Who the agent is on AWS, from STS {@code GetCallerIdentity} (a call that needs no permission, so it proves only
 * that the credentials are valid).
 *
 * @param account the 12-digit account id
 * @param arn     the caller's ARN, e.g. {@code arn:aws:sts::123456789012:assumed-role/launch-agent/launchkit}
 */
public record AwsIdentity(String account, String arn) {

    /** The partition from the ARN ({@code aws}, {@code aws-cn}, {@code aws-us-gov}). */
    public String partition() {
        String[] parts = arn.split(":", 3);
        return parts.length > 1 && !parts[1].isEmpty() ? parts[1] : "aws";
    }

    /**
     * Asks STS who the credentials belong to.
     *
     * @param what  names the plugin in messages, e.g. {@code environment aws (launch-config.yaml:3)}
     * @param error turns a message into the caller's exception type
     * @throws RuntimeException from {@code error}: no credentials, rejected credentials, STS unreachable
     */
    public static AwsIdentity of(StsClient sts, AwsCredentialChain credentials, SecretMasker masker, String what,
                                 Function<String, RuntimeException> error) {
        credentials.resolve(m -> error.apply(what + ": " + m));
        String source = credentials.source().map(s -> " from " + s).orElse("");
        try {
            GetCallerIdentityResponse r = sts.getCallerIdentity();
            return new AwsIdentity(r.account(), r.arn());
        } catch (SdkException e) {
            if (AwsErrors.credentialsRejected(e) || AwsErrors.accessDenied(e)) {
                return fail(error, what + ": the AWS credentials" + source + " were rejected by STS ("
                        + AwsErrors.describe(e, masker) + "); refresh or replace them");
            }
            if (AwsErrors.unreachable(e)) {
                return fail(error, what + ": cannot reach AWS STS to check the credentials ("
                        + AwsErrors.describe(e, masker) + ")");
            }
            return fail(error, what + ": checking the AWS credentials" + source + " with STS failed: "
                    + AwsErrors.describe(e, masker));
        }
    }

    private static AwsIdentity fail(Function<String, RuntimeException> error, String message) {
        throw error.apply(message);
    }
}
