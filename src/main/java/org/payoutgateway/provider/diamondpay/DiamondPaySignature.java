package org.payoutgateway.provider.diamondpay;

import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.payoutgateway.provider.Digests;

/**
 * The DiamondPay platform sign (Create Withdraw Order, {@code seeds/004}, and the brands' signature
 * pages): keys sorted ASCII ascending; {@code sign}, {@code sign_type} and empty values skipped;
 * {@code key=value} joined with {@code &}, no URL-encoding. MD5: lower-case hex of that text +
 * {@code "&"} + platform key. HMAC-SHA256: lower-case hex HMAC of the text with the key (64 chars),
 * announced when {@code sign_type=HMAC-SHA256} is sent.
 */
public final class DiamondPaySignature {

    /** The sign algorithm of an account; MD5 is deprecated by some brands from 2026-03-31. */
    public enum SignType {
        MD5("MD5"), HMAC_SHA256("HMAC-SHA256");

        public final String wireName;

        SignType(String wireName) {
            this.wireName = wireName;
        }

        public static SignType parse(String v) {
            for (SignType t : values()) {
                if (t.wireName.equalsIgnoreCase(v.strip())) {
                    return t;
                }
            }
            throw new IllegalArgumentException("sign type must be MD5 or HMAC-SHA256, not " + v);
        }
    }

    private DiamondPaySignature() {
    }

    /** {@code amount=50000&bank_name=BCA&...&service_id=SVC0004}: the text that is signed. */
    public static String signText(Map<String, ?> fields) {
        StringJoiner joiner = new StringJoiner("&");
        for (Map.Entry<String, ?> e : new TreeMap<>(fields).entrySet()) {
            String k = e.getKey();
            if (k.equals("sign") || k.equals("sign_type") || e.getValue() == null) {
                continue;
            }
            String v = String.valueOf(e.getValue());
            if (!v.isEmpty()) {
                joiner.add(k + "=" + v);
            }
        }
        return joiner.toString();
    }

    public static String sign(Map<String, ?> fields, String key, SignType type) {
        String text = signText(fields);
        return type == SignType.MD5 ? Digests.md5Hex(text + "&" + key) : Digests.hmacSha256Hex(key, text);
    }

    /**
     * Verifies {@code fields.sign} over all the other fields received, new ones included. The
     * algorithm is the one the message names in {@code sign_type}, else {@code accountDefault}; an
     * account set to HMAC-SHA256 accepts nothing weaker, whatever the message says.
     */
    public static boolean verify(Map<String, ?> fields, String key, SignType accountDefault) {
        Object given = fields.get("sign");
        if (given == null) {
            return false;
        }
        SignType type = accountDefault;
        Object named = fields.get("sign_type");
        if (named != null && !String.valueOf(named).isEmpty()) {
            try {
                type = SignType.parse(String.valueOf(named));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (accountDefault == SignType.HMAC_SHA256 && type != SignType.HMAC_SHA256) {
            return false;
        }
        return Digests.sameSignature(sign(fields, key, type), String.valueOf(given));
    }
}
