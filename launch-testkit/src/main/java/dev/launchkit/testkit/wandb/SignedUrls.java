package dev.launchkit.testkit.wandb;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks storage URLs the way cloud storage presigned URLs work: the path and an expiry time are signed
 * with a key only the server knows, so a URL is usable without credentials until it expires and cannot be altered.
 */
final class SignedUrls {
    private final byte[] key = new byte[32];
    private final Clock clock;
    private volatile Duration ttl = Duration.ofMinutes(15);

    SignedUrls(Clock clock) {
        this.clock = clock;
        new SecureRandom().nextBytes(key);
    }

    void ttl(Duration value) {
        this.ttl = value;
    }

    /** {@code path?X-Expires=...&X-Signature=...}. */
    String sign(String path) {
        long expires = clock.instant().plus(ttl).getEpochSecond();
        return path + "?X-Expires=" + expires + "&X-Signature=" + mac(path + "\n" + expires);
    }

    /** Whether {@code query} carries a valid, unexpired signature for {@code path}. */
    boolean valid(String path, String query) {
        if (query == null) {
            return false;
        }
        String expires = null;
        String signature = null;
        for (String part : query.split("&")) {
            if (part.startsWith("X-Expires=")) {
                expires = part.substring("X-Expires=".length());
            } else if (part.startsWith("X-Signature=")) {
                signature = part.substring("X-Signature=".length());
            }
        }
        if (expires == null || signature == null) {
            return false;
        }
        long at;
        try {
            at = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return false;
        }
        if (clock.instant().getEpochSecond() > at) {
            return false;
        }
        return MessageDigest.isEqual(mac(path + "\n" + expires).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String text) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(m.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
