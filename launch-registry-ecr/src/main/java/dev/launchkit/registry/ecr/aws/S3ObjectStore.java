package dev.launchkit.registry.ecr.aws;

import dev.launchkit.core.ConfigException;
import dev.launchkit.core.LaunchException;
import dev.launchkit.core.ObjectStore;
import dev.launchkit.core.SecretMasker;
import dev.launchkit.core.Stage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Build contexts in an S3 bucket ({@code s3://bucket/prefix}), read back by Kaniko's {@code --context=s3://...}.
 *
 * <p>Thread-safe (the SDK client is). Failures are {@link LaunchException}s at {@link Stage#BUILD} naming the
 * bucket and what to do; {@link #verify()} tells a missing bucket from one the credentials may not use.
 */
public final class S3ObjectStore implements ObjectStore {
    /** Written and deleted by {@link #verify()} to prove the prefix is writable. */
    static final String WRITE_CHECK = ".launchkit-write-check";

    private final S3Location location;
    private final S3Client s3;
    private final SecretMasker masker;
    private final String endpoint;

    /**
     * @param endpoint where S3 is reached (the override, or "AWS S3 in &lt;region&gt;"), for messages
     */
    S3ObjectStore(S3Location location, S3Client s3, SecretMasker masker, String endpoint) {
        this.location = location;
        this.s3 = s3;
        this.masker = masker;
        this.endpoint = endpoint;
    }

    /** The bucket and prefix. */
    public S3Location location() {
        return location;
    }

    @Override
    public URI baseUri() {
        return location.baseUri();
    }

    @Override
    public URI upload(String key, Path file) {
        if (key == null || key.isBlank() || key.contains("..") || key.startsWith("/")) {
            throw new IllegalArgumentException("'" + key + "' is not a relative object name like <run_id>.tgz");
        }
        if (!Files.isRegularFile(file)) {
            throw new LaunchException(Stage.BUILD, "cannot upload " + file + " to " + location
                    + ": the file does not exist");
        }
        String objectKey = location.key(key);
        try {
            s3.putObject(b -> b.bucket(location.bucket()).key(objectKey).contentType(contentType(key)),
                    RequestBody.fromFile(file));
            return location.uri(objectKey);
        } catch (SdkException e) {
            throw failure("upload " + file.getFileName() + " to", location.uri(objectKey), "s3:PutObject", e);
        }
    }

    @Override
    public boolean exists(URI object) {
        String key = location.keyOf(object);
        try {
            s3.headObject(b -> b.bucket(location.bucket()).key(key));
            return true;
        } catch (SdkException e) {
            if (e instanceof NoSuchKeyException || AwsErrors.status(e) == 404) {
                // HEAD responses carry no error body, so the SDK reports any 404 as NoSuchKey: a missing bucket
                // must not read as "the context is not there", so ask about the bucket.
                if (bucketExists()) {
                    return false;
                }
                throw new LaunchException(Stage.BUILD, "S3 bucket '" + location.bucket() + "' does not exist (looking "
                        + "for " + object + "); create it, or fix builder.build-context-store", e);
            }
            throw failure("check", object, "s3:GetObject", e);
        }
    }

    @Override
    public void delete(URI object) {
        String key = location.keyOf(object);
        try {
            s3.deleteObject(b -> b.bucket(location.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            // Deleting a missing object is not an error (S3 itself answers 204).
        } catch (SdkException e) {
            throw failure("delete", object, "s3:DeleteObject", e);
        }
    }

    /**
     * Checks that the bucket exists, that the credentials may use it, and that objects can be written under the
     * prefix (a small marker object is written and deleted).
     *
     * @throws ConfigException naming the bucket and what is missing
     */
    @Override
    public void verify() {
        try {
            s3.headBucket(b -> b.bucket(location.bucket()));
        } catch (SdkException e) {
            throw new ConfigException(verifyMessage(e), e);
        }
        String probe = location.key(WRITE_CHECK);
        try {
            s3.putObject(b -> b.bucket(location.bucket()).key(probe), RequestBody.fromString("launchkit"));
        } catch (SdkException e) {
            throw new ConfigException("S3 bucket '" + location.bucket() + "' exists but the agent may not write to "
                    + location + " (" + AwsErrors.describe(e, masker) + "); grant s3:PutObject on "
                    + "arn:aws:s3:::" + location.bucket() + "/" + location.key("*"), e);
        }
        try {
            s3.deleteObject(b -> b.bucket(location.bucket()).key(probe));
        } catch (SdkException e) {
            // Writing is what builds need; a missing s3:DeleteObject only leaves the marker behind.
        }
    }

    private String verifyMessage(SdkException e) {
        String bucket = "S3 bucket '" + location.bucket() + "' (" + location + ")";
        if (AwsErrors.credentialsMissing(e)) {
            return bucket + ": " + masker.mask(e.getMessage());
        }
        if (e instanceof NoSuchBucketException || AwsErrors.status(e) == 404) {
            return bucket + " does not exist: create it, or fix builder.build-context-store";
        }
        if (AwsErrors.status(e) == 301) {
            return bucket + " is in another region than the environment's; set environment.region to the bucket's "
                    + "region";
        }
        if (AwsErrors.credentialsRejected(e)) {
            return bucket + ": the AWS credentials were rejected (" + AwsErrors.describe(e, masker)
                    + "); check or refresh them";
        }
        if (AwsErrors.status(e) == 403) {
            return bucket + " is not accessible with the agent's AWS credentials (HTTP 403): the bucket belongs to "
                    + "another account, or the credentials are wrong, or the identity lacks s3:ListBucket on "
                    + "arn:aws:s3:::" + location.bucket();
        }
        if (AwsErrors.unreachable(e)) {
            return bucket + ": cannot reach S3 at " + endpoint + " (" + AwsErrors.describe(e, masker) + ")";
        }
        return bucket + ": " + AwsErrors.describe(e, masker);
    }

    private boolean bucketExists() {
        try {
            s3.headBucket(b -> b.bucket(location.bucket()));
            return true;
        } catch (SdkException e) {
            return AwsErrors.status(e) != 404;
        }
    }

    private LaunchException failure(String action, URI target, String permission, SdkException e) {
        String what = "cannot " + action + " " + target + ": ";
        if (AwsErrors.credentialsMissing(e)) {
            return new LaunchException(Stage.BUILD, what + masker.mask(e.getMessage()), e);
        }
        if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(AwsErrors.code(e))) {
            return new LaunchException(Stage.BUILD, what + "S3 bucket '" + location.bucket() + "' does not exist; "
                    + "create it, or fix builder.build-context-store", e);
        }
        if (AwsErrors.credentialsRejected(e)) {
            return new LaunchException(Stage.BUILD, what + "the AWS credentials were rejected ("
                    + AwsErrors.describe(e, masker) + "); check or refresh them", e);
        }
        if (AwsErrors.accessDenied(e)) {
            return new LaunchException(Stage.BUILD, what + "access denied (" + AwsErrors.describe(e, masker)
                    + "); grant " + permission + " on arn:aws:s3:::" + location.bucket() + "/" + location.key("*")
                    + " to the agent's AWS identity", e);
        }
        if (AwsErrors.unreachable(e)) {
            return new LaunchException(Stage.BUILD, what + "cannot reach S3 at " + endpoint + " ("
                    + AwsErrors.describe(e, masker) + ")", e);
        }
        return new LaunchException(Stage.BUILD, what + AwsErrors.describe(e, masker), e);
    }

    private static String contentType(String key) {
        if (key.endsWith(".tgz") || key.endsWith(".tar.gz")) {
            return "application/gzip";
        }
        return key.endsWith(".tar") ? "application/x-tar" : "application/octet-stream";
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + location + "]";
    }
}
