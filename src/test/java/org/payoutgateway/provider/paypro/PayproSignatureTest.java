package org.payoutgateway.provider.paypro;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.payoutgateway.provider.paypro.PayproSignature.SaltPosition;

/**
 * Fixed vectors for the Paypro sign (PROVIDERS.md §1 "Sign"; seeds/000-003). Every expected digest
 * below is a literal computed outside the code under test, in the shell:
 *
 * <pre>
 * printf '%s' '&lt;text&gt;&lt;secret&gt;' | md5sum     # salt appended (default)
 * printf '%s' '&lt;secret&gt;&lt;text&gt;' | md5sum     # salt prepended
 * </pre>
 *
 * The Indonesian document's example (seeds/000) obfuscates the e-mail ("[email protected]"), so its
 * published sign cannot be reproduced; the vector uses the concrete address {@value #EMAIL} and the
 * test secret {@value #SECRET}.
 */
class PayproSignatureTest {

    static final String SECRET = "TestAppSecret123";
    static final String EMAIL = "kevin@example.com";

    /** The seeds/000 example body, sorted by the document's own rule, with {@link #EMAIL}. */
    static final String EXAMPLE_TEXT = "amount=100000bankAccountNo=5464438554636bankCode=0002customerName=kevin"
            + "email=kevin@example.commobile=6281245907765notifyUrl=https://google.comremark=remark"
            + "timestamp=1732985021335tradeNo=39fa354542824ee789faf526f27c024f";

    /** printf '%s' "${EXAMPLE_TEXT}TestAppSecret123" | md5sum */
    static final String EXAMPLE_MD5_APPENDED = "a8730d5e271bef2bfb39f9cd148e98eb";
    /** printf '%s' "TestAppSecret123${EXAMPLE_TEXT}" | md5sum */
    static final String EXAMPLE_MD5_PREPENDED = "70531e00c9d1cb2036ad964b858e7afb";
    /** printf '%s' "${EXAMPLE_TEXT}" | md5sum: what an unsalted sign would give; must never come out. */
    static final String EXAMPLE_MD5_UNSALTED = "4159309c3a0cfb91a07e934f78192543";

    /** The example body as a JSON reader would hand it over: numbers as numbers, and the doc's sign. */
    static Map<String, Object> exampleBody() {
        Map<String, Object> body = new LinkedHashMap<>(); // the document's order, not the sign order
        body.put("amount", 100000);
        body.put("bankAccountNo", "5464438554636");
        body.put("bankCode", "0002");
        body.put("customerName", "kevin");
        body.put("email", EMAIL);
        body.put("mobile", "6281245907765");
        body.put("notifyUrl", "https://google.com");
        body.put("remark", "remark");
        body.put("sign", "5aa258e8b5d28150097b86f55c2d2307");
        body.put("timestamp", 1732985021335L);
        body.put("tradeNo", "39fa354542824ee789faf526f27c024f");
        return body;
    }

    @Test
    void signTextOfTheIndonesianExampleIsSortedConcatenatedWithoutSeparatorAndWithoutSign() {
        assertThat(PayproSignature.signText(exampleBody())).isEqualTo(EXAMPLE_TEXT);
    }

    @Test
    void signTextDoesNotDependOnTheOrderTheFieldsCameIn() {
        Map<String, Object> reversed = new LinkedHashMap<>();
        java.util.List<Map.Entry<String, Object>> entries = new java.util.ArrayList<>(exampleBody().entrySet());
        java.util.Collections.reverse(entries);
        entries.forEach(e -> reversed.put(e.getKey(), e.getValue()));
        assertThat(PayproSignature.signText(reversed)).isEqualTo(EXAMPLE_TEXT);
    }

    @Test
    void md5OfTheExampleWithTheSecretAppendedIsTheDefault() {
        assertThat(PayproSignature.sign(exampleBody(), SECRET, SaltPosition.APPEND)).isEqualTo(EXAMPLE_MD5_APPENDED);
        assertThat(SaltPosition.parse("append")).isEqualTo(SaltPosition.APPEND);
        assertThat(PayproSignature.sign(exampleBody(), SECRET, SaltPosition.parse("append")))
                .isEqualTo(EXAMPLE_MD5_APPENDED)
                .isNotEqualTo(EXAMPLE_MD5_UNSALTED);
    }

    @Test
    void md5OfTheExampleWithTheSecretPrepended() {
        assertThat(SaltPosition.parse(" PREPEND ")).isEqualTo(SaltPosition.PREPEND);
        assertThat(PayproSignature.sign(exampleBody(), SECRET, SaltPosition.PREPEND))
                .isEqualTo(EXAMPLE_MD5_PREPENDED)
                .isNotEqualTo(EXAMPLE_MD5_APPENDED);
    }

    @Test
    void signIsLowerCaseHexOf32Characters() {
        assertThat(PayproSignature.sign(exampleBody(), SECRET, SaltPosition.APPEND)).matches("[0-9a-f]{32}");
        assertThat(PayproSignature.sign(exampleBody(), SECRET, SaltPosition.PREPEND)).matches("[0-9a-f]{32}");
    }

    @Test
    void keysSortInJavaStringOrderSoUpperCaseComesBeforeLowerCase() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("bankaccount", "4");
        fields.put("alpha", "2");
        fields.put("bankCode", "3"); // 'C' (67) < 'a' (97): bankCode before bankaccount
        fields.put("Zeta", "1");     // 'Z' (90) < 'a' (97): before every lower-case key
        assertThat(PayproSignature.signText(fields)).isEqualTo("Zeta=1alpha=2bankCode=3bankaccount=4");
        // printf '%s' 'Zeta=1alpha=2bankCode=3bankaccount=4TestAppSecret123' | md5sum
        assertThat(PayproSignature.sign(fields, SECRET, SaltPosition.APPEND)).isEqualTo("44b1785dbe2e2898ca9349f4c2123a50");
    }

    @Test
    void emptyValuesAreSkippedAndSignIsExcluded() {
        Map<String, Object> fields = exampleBody();
        fields.put("remark", "");
        fields.put("extra", "");
        fields.put("sign", "anything");
        assertThat(PayproSignature.signText(fields))
                .isEqualTo(EXAMPLE_TEXT.replace("remark=remark", ""))
                .doesNotContain("sign=")
                .doesNotContain("extra");
    }

    @Test
    void theSignFieldItselfDoesNotChangeTheSign() {
        Map<String, Object> a = exampleBody();
        Map<String, Object> b = exampleBody();
        b.remove("sign");
        assertThat(PayproSignature.sign(a, SECRET, SaltPosition.APPEND)).isEqualTo(PayproSignature.sign(b, SECRET, SaltPosition.APPEND));
    }

    @Test
    void numbersSignAsWritten() {
        Map<String, Object> asInt = exampleBody();
        Map<String, Object> asText = exampleBody();
        asText.put("amount", "100000");
        asText.put("timestamp", "1732985021335");
        Map<String, Object> asDecimal = exampleBody();
        asDecimal.put("amount", new BigDecimal("100000"));
        assertThat(PayproSignature.signText(asInt)).contains("amount=100000bankAccountNo").doesNotContain("100000.0");
        assertThat(PayproSignature.sign(asText, SECRET, SaltPosition.APPEND)).isEqualTo(EXAMPLE_MD5_APPENDED);
        assertThat(PayproSignature.sign(asDecimal, SECRET, SaltPosition.APPEND)).isEqualTo(EXAMPLE_MD5_APPENDED);

        // a double would sign as "100000.0": the connectors must never put one in a body
        Map<String, Object> asDouble = exampleBody();
        asDouble.put("amount", 100000.0);
        assertThat(PayproSignature.signText(asDouble)).contains("amount=100000.0");
        assertThat(PayproSignature.sign(asDouble, SECRET, SaltPosition.APPEND)).isNotEqualTo(EXAMPLE_MD5_APPENDED);
    }

    @Test
    void textIsHashedAsUtf8() {
        Map<String, Object> fields = Map.of("customerName", "Zoë", "timestamp", 1);
        // printf '%s' 'customerName=Zoëtimestamp=1TestAppSecret123' | md5sum   (ë = c3 ab)
        assertThat(PayproSignature.sign(fields, SECRET, SaltPosition.APPEND)).isEqualTo("3c13e89913b25e8bd21eaaeab5512e00");
    }

    @Test
    void verifyAcceptsTheRightSign() {
        Map<String, Object> signed = exampleBody();
        signed.put("sign", EXAMPLE_MD5_APPENDED);
        assertThat(PayproSignature.verify(signed, SECRET, SaltPosition.APPEND)).isTrue();

        Map<String, Object> prepended = exampleBody();
        prepended.put("sign", EXAMPLE_MD5_PREPENDED);
        assertThat(PayproSignature.verify(prepended, SECRET, SaltPosition.PREPEND)).isTrue();
        assertThat(PayproSignature.verify(prepended, SECRET, SaltPosition.APPEND)).isFalse();
    }

    @Test
    void verifyIsCaseInsensitiveOnHex() {
        Map<String, Object> signed = exampleBody();
        signed.put("sign", EXAMPLE_MD5_APPENDED.toUpperCase());
        assertThat(PayproSignature.verify(signed, SECRET, SaltPosition.APPEND)).isTrue();
    }

    @Test
    void verifyRejectsTamperedValues() {
        Map<String, Object> amount = exampleBody();
        amount.put("sign", EXAMPLE_MD5_APPENDED);
        amount.put("amount", 100001);
        assertThat(PayproSignature.verify(amount, SECRET, SaltPosition.APPEND)).isFalse();

        Map<String, Object> account = exampleBody();
        account.put("sign", EXAMPLE_MD5_APPENDED);
        account.put("bankAccountNo", "5464438554637");
        assertThat(PayproSignature.verify(account, SECRET, SaltPosition.APPEND)).isFalse();

        Map<String, Object> added = exampleBody();
        added.put("sign", EXAMPLE_MD5_APPENDED);
        added.put("status", "0000");
        assertThat(PayproSignature.verify(added, SECRET, SaltPosition.APPEND)).isFalse();

        Map<String, Object> wrongSecret = exampleBody();
        wrongSecret.put("sign", EXAMPLE_MD5_APPENDED);
        assertThat(PayproSignature.verify(wrongSecret, "another-secret", SaltPosition.APPEND)).isFalse();

        Map<String, Object> flipped = exampleBody();
        flipped.put("sign", "b" + EXAMPLE_MD5_APPENDED.substring(1));
        assertThat(PayproSignature.verify(flipped, SECRET, SaltPosition.APPEND)).isFalse();

        Map<String, Object> unsalted = exampleBody();
        unsalted.put("sign", EXAMPLE_MD5_UNSALTED);
        assertThat(PayproSignature.verify(unsalted, SECRET, SaltPosition.APPEND)).isFalse();
    }

    @Test
    void verifyRejectsAMissingOrEmptySign() {
        Map<String, Object> none = exampleBody();
        none.remove("sign");
        assertThat(PayproSignature.verify(none, SECRET, SaltPosition.APPEND)).isFalse();

        Map<String, Object> empty = exampleBody();
        empty.put("sign", "");
        assertThat(PayproSignature.verify(empty, SECRET, SaltPosition.APPEND)).isFalse();

        Map<String, Object> nullSign = exampleBody();
        nullSign.put("sign", null);
        assertThat(PayproSignature.verify(nullSign, SECRET, SaltPosition.APPEND)).isFalse();
    }
}
