package org.payoutgateway.provider.paypro;

import java.util.Map;
import java.util.TreeMap;
import org.payoutgateway.provider.Digests;

/**
 * The Paypro sign, identical for every Paypro country (Overview pages, e.g.
 * {@code guide/areas/pakistan/overview.html}): every body field but {@code sign}, keys sorted in
 * Java {@code String} order (case-sensitive), {@code key=String.valueOf(value)} concatenated with no
 * separator, empty values skipped; MD5 of that text salted with the app secret, UTF-8, lower-case
 * hex. Where the salt goes is not shown by the documents: {@link SaltPosition}, per account.
 */
public final class PayproSignature {

    /** Where the app secret is placed around the sign text before hashing. */
    public enum SaltPosition {
        /** {@code md5(text + secret)}: the default, as the sister API with the same layout does. */
        APPEND,
        /** {@code md5(secret + text)}. */
        PREPEND;

        public static SaltPosition parse(String v) {
            return SaltPosition.valueOf(v.strip().toUpperCase());
        }
    }

    private PayproSignature() {
    }

    /** The text that is hashed, before salting: {@code amount=100000bankAccountNo=...}. */
    public static String signText(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : new TreeMap<>(fields).entrySet()) {
            if ("sign".equals(e.getKey())) {
                continue;
            }
            // String.valueOf as the documents' own code does: a JSON null would sign as "null"
            String value = String.valueOf(e.getValue());
            if (!value.isEmpty()) {
                sb.append(e.getKey()).append('=').append(value);
            }
        }
        return sb.toString();
    }

    /** The lower-case hex MD5 sign of the fields. */
    public static String sign(Map<String, ?> fields, String secret, SaltPosition salt) {
        String text = signText(fields);
        return Digests.md5Hex(salt == SaltPosition.APPEND ? text + secret : secret + text);
    }

    /** Whether {@code fields.sign} is the sign of the other fields; false when there is none. */
    public static boolean verify(Map<String, ?> fields, String secret, SaltPosition salt) {
        Object given = fields.get("sign");
        return given != null && Digests.sameSignature(sign(fields, secret, salt), String.valueOf(given));
    }
}
