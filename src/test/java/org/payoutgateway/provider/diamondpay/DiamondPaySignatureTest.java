package org.payoutgateway.provider.diamondpay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.payoutgateway.provider.diamondpay.DiamondPaySignature.SignType;

/**
 * The DiamondPay platform sign (seeds/004 and PROVIDERS.md §2) on the documentation's own example:
 * platform PF0002, key {@value #KEY}. Expected digests are literals computed outside the code:
 *
 * <pre>
 * printf '%s' "$TEXT&amp;ThisIsYourSecretKey123" | md5sum
 * printf '%s' "$TEXT" | openssl dgst -sha256 -hmac 'ThisIsYourSecretKey123'
 * </pre>
 *
 * (The seed's example shows sign 8ac38fb87c2bcce4cf36627d4f8aa747, which is none of md5(text&amp;key),
 * md5(text+key), md5(text&amp;key=key) or md5(text) for these fields: the example's sign was evidently
 * not made from the example's values, so it cannot serve as a vector.)
 */
class DiamondPaySignatureTest {

    static final String KEY = "ThisIsYourSecretKey123";
    static final String TEXT = "amount=50000&bank_name=BCA&currency=idr&name=test_name"
            + "&notify_url=https://xxx.xx/notification&number=4088748280272397&payout_cl_id=DEVPOT00143538"
            + "&platform_id=PF0002&request_time=1595504997&service_id=SVC0004";
    /** printf '%s' "$TEXT&ThisIsYourSecretKey123" | md5sum */
    static final String MD5 = "346f1547fd7142da5bcf6ccaf79837cd";
    /** printf '%s' "$TEXT" | openssl dgst -sha256 -hmac 'ThisIsYourSecretKey123' */
    static final String HMAC = "b69ced01c311b0e5d18a45627292776e2392ce27de9d5dc6fc0bd32c1c79f643";

    static Map<String, Object> example() {
        Map<String, Object> f = new LinkedHashMap<>(); // not in sign order on purpose
        f.put("service_id", "SVC0004");
        f.put("amount", 50000);
        f.put("request_time", 1595504997L);
        f.put("bank_name", "BCA");
        f.put("currency", "idr");
        f.put("name", "test_name");
        f.put("notify_url", "https://xxx.xx/notification");
        f.put("number", "4088748280272397");
        f.put("payout_cl_id", "DEVPOT00143538");
        f.put("platform_id", "PF0002");
        return f;
    }

    @Test
    void signTextOfTheDocumentationExample() {
        assertThat(DiamondPaySignature.signText(example())).isEqualTo(
                "amount=50000&bank_name=BCA&currency=idr&name=test_name&notify_url=https://xxx.xx/notification"
                        + "&number=4088748280272397&payout_cl_id=DEVPOT00143538&platform_id=PF0002"
                        + "&request_time=1595504997&service_id=SVC0004");
        assertThat(DiamondPaySignature.signText(example())).isEqualTo(TEXT);
    }

    @Test
    void signTextIsNotUrlEncoded() {
        assertThat(DiamondPaySignature.signText(example())).contains("notify_url=https://xxx.xx/notification")
                .doesNotContain("%3A").doesNotContain("%2F");
    }

    @Test
    void stringAndNumberValuesSignAlike() {
        Map<String, Object> asText = example();
        asText.put("amount", "50000");
        asText.put("request_time", "1595504997");
        assertThat(DiamondPaySignature.signText(asText)).isEqualTo(TEXT);
    }

    @Test
    void md5IsTextAmpersandKeyInLowerCaseHex() {
        assertThat(DiamondPaySignature.sign(example(), KEY, SignType.MD5)).isEqualTo(MD5);
    }

    @Test
    void hmacSha256IsOverTheTextWithTheKeyAnd64HexCharacters() {
        String hmac = DiamondPaySignature.sign(example(), KEY, SignType.HMAC_SHA256);
        assertThat(hmac).isEqualTo(HMAC).hasSize(64).matches("[0-9a-f]{64}");
    }

    @Test
    void signSignTypeAndEmptyValuesAreSkipped() {
        Map<String, Object> f = example();
        f.put("sign", "deadbeef");
        f.put("sign_type", "MD5");
        f.put("remark", "");
        f.put("extra", null);
        assertThat(DiamondPaySignature.signText(f)).isEqualTo(TEXT);
        assertThat(DiamondPaySignature.sign(f, KEY, SignType.MD5)).isEqualTo(MD5);

        Map<String, Object> h = example();
        h.put("sign_type", "HMAC-SHA256");
        assertThat(DiamondPaySignature.sign(h, KEY, SignType.HMAC_SHA256)).isEqualTo(HMAC);
    }

    @Test
    void signTypeParsesWireNamesOnly() {
        assertThat(SignType.parse("MD5")).isEqualTo(SignType.MD5);
        assertThat(SignType.parse("md5")).isEqualTo(SignType.MD5);
        assertThat(SignType.parse(" HMAC-SHA256 ")).isEqualTo(SignType.HMAC_SHA256);
        assertThat(SignType.parse("hmac-sha256")).isEqualTo(SignType.HMAC_SHA256);
        assertThatThrownBy(() -> SignType.parse("SHA1")).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------ verify

    /** A notify body with a field the document does not list ({@code new_field}). */
    static Map<String, Object> notifyBody() {
        Map<String, Object> n = new HashMap<>();
        n.put("payout_id", "POT00000001");
        n.put("payout_cl_id", "DEVPOT00143538");
        n.put("platform_id", "PF0002");
        n.put("amount", 5000000);
        n.put("real_amount", 4999000);
        n.put("fee", 1000);
        n.put("status", 3);
        n.put("error_msg", "ok");
        n.put("create_time", 1595504997);
        n.put("update_time", 1595505100);
        n.put("new_field", "x");
        return n;
    }

    // text: amount=5000000&create_time=1595504997&error_msg=ok&fee=1000&new_field=x&payout_cl_id=DEVPOT00143538
    //       &payout_id=POT00000001&platform_id=PF0002&real_amount=4999000&status=3&update_time=1595505100
    /** printf '%s' "$NOTIFY_TEXT&ThisIsYourSecretKey123" | md5sum */
    static final String NOTIFY_MD5 = "7c507462834007dc974db099128b8d69";
    /** printf '%s' "$NOTIFY_TEXT" | openssl dgst -sha256 -hmac 'ThisIsYourSecretKey123' */
    static final String NOTIFY_HMAC = "2ce0351111ba29c8165e0b2bf28f4f516d50287892fa8ab254248073e0a74cd6";

    @Test
    void verifyCoversAllReceivedFieldsIncludingUnknownNewOnes() {
        Map<String, Object> n = notifyBody();
        n.put("sign", NOTIFY_MD5);
        assertThat(DiamondPaySignature.verify(n, KEY, SignType.MD5)).isTrue();

        // the unknown field is part of the sign: dropping or changing it breaks it
        Map<String, Object> dropped = new HashMap<>(n);
        dropped.remove("new_field");
        assertThat(DiamondPaySignature.verify(dropped, KEY, SignType.MD5)).isFalse();
        Map<String, Object> changed = new HashMap<>(n);
        changed.put("new_field", "y");
        assertThat(DiamondPaySignature.verify(changed, KEY, SignType.MD5)).isFalse();
    }

    @Test
    void verifyRejectsTamperedValuesWrongKeyAndMissingSign() {
        Map<String, Object> n = notifyBody();
        n.put("sign", NOTIFY_MD5);
        Map<String, Object> status = new HashMap<>(n);
        status.put("status", 4);
        assertThat(DiamondPaySignature.verify(status, KEY, SignType.MD5)).isFalse();
        Map<String, Object> amount = new HashMap<>(n);
        amount.put("amount", 5000001);
        assertThat(DiamondPaySignature.verify(amount, KEY, SignType.MD5)).isFalse();
        assertThat(DiamondPaySignature.verify(n, "AnotherKey", SignType.MD5)).isFalse();

        Map<String, Object> none = notifyBody();
        assertThat(DiamondPaySignature.verify(none, KEY, SignType.MD5)).isFalse();
        Map<String, Object> empty = notifyBody();
        empty.put("sign", "");
        assertThat(DiamondPaySignature.verify(empty, KEY, SignType.MD5)).isFalse();
    }

    @Test
    void verifyIsCaseInsensitiveOnHex() {
        Map<String, Object> n = notifyBody();
        n.put("sign", NOTIFY_MD5.toUpperCase());
        assertThat(DiamondPaySignature.verify(n, KEY, SignType.MD5)).isTrue();
    }

    @Test
    void signTypeInTheMessageChoosesTheAlgorithm() {
        // an MD5 account receiving an HMAC-signed message that says so
        Map<String, Object> hmac = notifyBody();
        hmac.put("sign_type", "HMAC-SHA256");
        hmac.put("sign", NOTIFY_HMAC);
        assertThat(DiamondPaySignature.verify(hmac, KEY, SignType.MD5)).isTrue();
        assertThat(DiamondPaySignature.verify(hmac, KEY, SignType.HMAC_SHA256)).isTrue();

        // the same HMAC without sign_type: the account default decides
        Map<String, Object> bare = notifyBody();
        bare.put("sign", NOTIFY_HMAC);
        assertThat(DiamondPaySignature.verify(bare, KEY, SignType.HMAC_SHA256)).isTrue();
        assertThat(DiamondPaySignature.verify(bare, KEY, SignType.MD5)).isFalse();

        // a message that names MD5 is checked with MD5
        Map<String, Object> md5 = notifyBody();
        md5.put("sign_type", "MD5");
        md5.put("sign", NOTIFY_MD5);
        assertThat(DiamondPaySignature.verify(md5, KEY, SignType.MD5)).isTrue();
        // ...but an account set to HMAC-SHA256 accepts nothing weaker, whatever the message says
        assertThat(DiamondPaySignature.verify(md5, KEY, SignType.HMAC_SHA256)).isFalse();

        // the sign does not match the algorithm the message names
        Map<String, Object> mismatch = notifyBody();
        mismatch.put("sign_type", "HMAC-SHA256");
        mismatch.put("sign", NOTIFY_MD5);
        assertThat(DiamondPaySignature.verify(mismatch, KEY, SignType.MD5)).isFalse();

        // an algorithm nobody knows is a failed verification, not an exception
        Map<String, Object> unknown = notifyBody();
        unknown.put("sign_type", "SHA1");
        unknown.put("sign", NOTIFY_MD5);
        assertThat(DiamondPaySignature.verify(unknown, KEY, SignType.MD5)).isFalse();

        // an empty sign_type falls back to the account default
        Map<String, Object> blank = notifyBody();
        blank.put("sign_type", "");
        blank.put("sign", NOTIFY_MD5);
        assertThat(DiamondPaySignature.verify(blank, KEY, SignType.MD5)).isTrue();
    }
}
