package org.payoutgateway.provider;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Lower-case hex MD5 and HMAC-SHA256 over UTF-8 text, and a constant-time comparison. */
public final class Digests {

    private Digests() {
    }

    public static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hmacSha256Hex(String key, String text) {
        return HexFormat.of().formatHex(hmacSha256(key, text.getBytes(StandardCharsets.UTF_8)));
    }

    public static byte[] hmacSha256(String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two signatures in constant time, ignoring hex case; false when either is null. */
    public static boolean sameSignature(String expected, String given) {
        if (expected == null || given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.toLowerCase().getBytes(StandardCharsets.UTF_8),
                given.toLowerCase().getBytes(StandardCharsets.UTF_8));
    }
}
