package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.SecretMasker;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Classifies AWS SDK failures and turns them into short messages without secrets. */
public final class AwsErrors {
    /** Error codes that mean "these credentials are not valid", as opposed to "valid but not allowed". */
    private static final Set<String> REJECTED = Set.of("UnrecognizedClientException", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "InvalidSignatureException", "ExpiredToken", "ExpiredTokenException",
            "InvalidAccessKeyId", "IncompleteSignature", "AuthFailure", "InvalidToken", "TokenRefreshRequired");
    private static final Set<String> DENIED = Set.of("AccessDenied", "AccessDeniedException");

    private AwsErrors() {
    }

    /** The service's error code, or an empty string for client-side failures. */
    public static String code(SdkException e) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            String code = s.awsErrorDetails().errorCode();
            return code == null ? "" : code;
        }
        return "";
    }

    /** HTTP status of a service error, or 0. */
    public static int status(SdkException e) {
        return e instanceof AwsServiceException s ? s.statusCode() : 0;
    }

    /** Whether AWS refused the credentials themselves (unknown key, bad signature, expired session). */
    public static boolean credentialsRejected(SdkException e) {
        return REJECTED.contains(code(e));
    }

    /** Whether the credentials are valid but the identity lacks a permission. */
    public static boolean accessDenied(SdkException e) {
        return DENIED.contains(code(e)) || (status(e) == 403 && !credentialsRejected(e));
    }

    /** Whether no credential source produced credentials (see {@link AwsCredentialChain}). */
    public static boolean credentialsMissing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SdkClientException && String.valueOf(t.getMessage()).startsWith("no AWS credentials found")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the endpoint could not be reached at all. */
    public static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** A one-line description: {@code CODE (HTTP 403): message}, or the client-side cause. Secrets masked. */
    public static String describe(SdkException e, SecretMasker masker) {
        String text;
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            String message = s.awsErrorDetails().errorMessage();
            text = code(e) + " (HTTP " + s.statusCode() + ")" + (message == null || message.isBlank() ? "" : ": " + message);
        } else {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            text = root == e ? String.valueOf(e.getMessage())
                    : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return masker.mask(text);
    }
}
