package dev.launchkit.core;

import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.nio.charset.StandardCharsets;

/**
 * A username and password for one registry host, as they go into a docker config ({@code auths}).
 *
 * <p>{@link #toString()} never shows the password.
 *
 * @param host      the registry host, e.g. {@code 123.dkr.ecr.us-east-1.amazonaws.com}
 * @param username  the user name ({@code AWS}, {@code oauth2accesstoken}, the ACR null GUID, ...)
 * @param password  the password or token
 * @param expiresAt when the token stops working ({@link Instant#MAX} when it does not expire)
 */
public record RegistryCredentials(String host, String username, String password, Instant expiresAt) {

    public RegistryCredentials {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        expiresAt = expiresAt == null ? Instant.MAX : expiresAt;
    }

    /** {@code base64(username:password)}, the {@code auth} field of a docker config. */
    public String basicAuth() {
        return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A docker config JSON ({@code {"auths":{host:{username,password,auth}}}}) holding these credentials. */
    public String toDockerConfigJson() {
        return DockerConfigs.of(java.util.List.of(this));
    }

    @Override
    public String toString() {
        return "RegistryCredentials[host=" + host + ", username=" + username + ", password=" + SecretMasker.MASK
                + ", expiresAt=" + expiresAt + "]";
    }
}
