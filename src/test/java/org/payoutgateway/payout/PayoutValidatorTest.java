package org.payoutgateway.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.payoutgateway.config.Settings;
import org.payoutgateway.provider.ProviderAccounts;

/**
 * The validation rules of {@link PayoutValidator} and of each account's connector, asserting the
 * exact canonical field names of the errors (they are what result files and API answers show).
 */
class PayoutValidatorTest {

    static Map<String, String> settings() {
        Map<String, String> m = new HashMap<>();
        m.put("payout.provider.accounts", "paypro-id,paypro-ke,paypro-pk,diamondpay-id");
        m.put("payout.callback.base-url", "https://gw.example.com");
        m.put("payout.routing.ID", "paypro-id");
        m.put("payout.routing.KE", "paypro-ke");
        m.put("payout.routing.PK", "paypro-pk");
        for (String a : List.of("paypro-id", "paypro-ke", "paypro-pk")) {
            m.put("payout.provider." + a + ".base-url", "https://" + a + ".example.com");
            m.put("payout.provider." + a + ".merchant-no", "1000000001");
            m.put("payout.provider." + a + ".secret", "s");
        }
        m.put("payout.provider.diamondpay-id.base-url", "https://dp.example.com");
        m.put("payout.provider.diamondpay-id.platform-id", "PF0002");
        m.put("payout.provider.diamondpay-id.key", "k");
        m.put("payout.provider.diamondpay-id.authorization", "t");
        return m;
    }

    static PayoutValidator validator(Map<String, String> m) {
        return new PayoutValidator(new ProviderAccounts(new Settings(k -> Optional.ofNullable(m.get(k)))));
    }

    static final PayoutValidator VALIDATOR = validator(settings());

    /** A valid instruction per account, as canonical fields. */
    static Map<String, String> valid(String account) {
        Map<String, String> f = new HashMap<>();
        f.put("reference", "REF-0001");
        switch (account) {
            case "paypro-id" -> {
                f.put("country", "ID");
                f.put("amount", "150000");
                f.put("currency", "IDR");
                f.put("beneficiary_name", "kevin");
                f.put("account_number", "5464438554636");
                f.put("bank_code", "0002");
                f.put("mobile", "6281245907765");
                f.put("email", "kevin@example.com");
            }
            case "paypro-ke" -> {
                f.put("country", "KE");
                f.put("amount", "500");
                f.put("currency", "KES");
                f.put("mobile", "254115555088");
            }
            case "paypro-pk" -> {
                f.put("country", "PK");
                f.put("amount", "5000");
                f.put("currency", "PKR");
                f.put("beneficiary_name", "Jane Doe");
                f.put("id_number", "17301-2345678-9");
                f.put("email", "jane@example.com");
                f.put("mobile", "3115112345");
                f.put("account_type", "BANK");
                f.put("bank_code", "ALLIED_BANK_LIMITED");
                f.put("account_number", "9876543210");
                f.put("remark", "Payment for invoice #1001");
            }
            case "diamondpay-id" -> {
                f.put("country", "ID");
                f.put("provider", "diamondpay-id");
                f.put("amount", "50000.25");
                f.put("currency", "IDR");
                f.put("beneficiary_name", "test_name");
                f.put("account_number", "4088748280272397");
                f.put("bank_code", "BCA");
            }
            default -> throw new IllegalArgumentException(account);
        }
        return f;
    }

    static PayoutStore.Candidate check(String account, Consumer<Map<String, String>> change) {
        Map<String, String> f = valid(account);
        change.accept(f);
        return VALIDATOR.validate(PayoutInstruction.of(f));
    }

    static List<String> errorFields(String account, Consumer<Map<String, String>> change) {
        return check(account, change).errors().stream().map(FieldError::field).toList();
    }

    static Consumer<Map<String, String>> set(String field, String value) {
        return f -> f.put(field, value);
    }

    // ================================================================================ baseline

    @ParameterizedTest
    @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id"})
    void validInstructionsPassAndResolveTheirAccount(String account) {
        PayoutStore.Candidate c = check(account, f -> { });
        assertThat(c.errors()).isEmpty();
        assertThat(c.account()).isEqualTo(account);
    }

    @Test
    void errorsSayWhy() {
        PayoutStore.Candidate c = check("paypro-ke", set("mobile", "0712345678"));
        assertThat(c.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("mobile");
            assertThat(e.reason()).isNotBlank();
        });
    }

    // =============================================================================== reference

    @Nested
    class Reference {
        @Test
        void required() {
            assertThat(errorFields("paypro-ke", f -> f.remove("reference"))).containsExactly("reference");
            assertThat(errorFields("paypro-ke", set("reference", "   "))).containsExactly("reference");
        }

        @Test
        void lengthUpTo32() {
            assertThat(errorFields("paypro-ke", set("reference", "A".repeat(32)))).isEmpty();
            assertThat(errorFields("paypro-ke", set("reference", "A".repeat(33)))).containsExactly("reference");
            assertThat(errorFields("paypro-ke", set("reference", "a"))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"REF 1", "REF/1", "REF.1", "REF#1", "RÉF1", "ref+1", "a,b"})
        void onlyLettersDigitsUnderscoreAndDash(String ref) {
            assertThat(errorFields("paypro-ke", set("reference", ref))).containsExactly("reference");
        }

        @Test
        void underscoreAndDashAreFine() {
            assertThat(errorFields("paypro-ke", set("reference", "a_B-9"))).isEmpty();
        }
    }

    // ========================================================================= country/provider

    @Nested
    class CountryAndProvider {
        @Test
        void countryRequired() {
            PayoutStore.Candidate c = check("paypro-ke", f -> f.remove("country"));
            assertThat(c.errors()).extracting(FieldError::field).containsExactly("country");
            assertThat(c.account()).isNull();
        }

        @Test
        void countryMustBeTwoLetters() {
            assertThat(errorFields("paypro-ke", set("country", "KEN"))).containsExactly("country");
            assertThat(errorFields("paypro-ke", set("country", "K1"))).containsExactly("country");
        }

        @Test
        void countryIsCaseInsensitive() {
            assertThat(errorFields("paypro-ke", set("country", "ke"))).isEmpty();
        }

        @Test
        void countryMustBeRouted() {
            PayoutStore.Candidate c = check("paypro-ke", f -> {
                f.put("country", "VN");
                f.put("currency", "VND");
            });
            assertThat(c.errors()).extracting(FieldError::field).containsExactly("country");
            assertThat(c.errors().get(0).reason()).contains("payout.routing.VN");
            assertThat(c.account()).isNull();
        }

        @Test
        void routingToAnUnconfiguredAccountIsACountryError() {
            Map<String, String> m = settings();
            m.put("payout.routing.KE", "paypro-ke-2");
            PayoutStore.Candidate c = validator(m).validate(PayoutInstruction.of(valid("paypro-ke")));
            assertThat(c.errors()).extracting(FieldError::field).containsExactly("country");
        }

        @Test
        void providerNamingAnUnknownAccount() {
            PayoutStore.Candidate c = check("paypro-ke", set("provider", "paypro-xx"));
            assertThat(c.errors()).extracting(FieldError::field).containsExactly("provider");
            assertThat(c.errors().get(0).reason()).contains("paypro-xx");
            assertThat(c.account()).isNull();
        }

        @Test
        void providerOfAnotherCountry() {
            PayoutStore.Candidate c = check("paypro-ke", set("provider", "paypro-id"));
            assertThat(c.errors()).extracting(FieldError::field).containsExactly("provider");
            assertThat(c.account()).isNull();
            assertThat(errorFields("diamondpay-id", set("country", "PK"))).contains("provider");
        }

        @Test
        void providerOverridesTheRouting() {
            assertThat(check("diamondpay-id", f -> { }).account()).isEqualTo("diamondpay-id");
            PayoutStore.Candidate routed = check("diamondpay-id", f -> f.remove("provider"));
            assertThat(routed.account()).isEqualTo("paypro-id");
        }
    }

    // ================================================================================ currency

    @Nested
    class Currency {
        @Test
        void required() {
            assertThat(errorFields("paypro-ke", f -> f.remove("currency"))).containsExactly("currency");
        }

        @Test
        void mustMatchTheAccount() {
            assertThat(errorFields("paypro-id", set("currency", "USD"))).containsExactly("currency");
            assertThat(errorFields("paypro-ke", set("currency", "IDR"))).containsExactly("currency");
            assertThat(errorFields("paypro-pk", set("currency", "KES"))).containsExactly("currency");
            assertThat(errorFields("diamondpay-id", set("currency", "PKR"))).containsExactly("currency");
        }

        @Test
        void caseInsensitive() {
            assertThat(errorFields("paypro-id", set("currency", "idr"))).isEmpty();
            assertThat(errorFields("paypro-ke", set("currency", "kes"))).isEmpty();
            assertThat(errorFields("paypro-pk", set("currency", "Pkr"))).isEmpty();
        }
    }

    // ================================================================================== amount

    @Nested
    class Amount {
        @ParameterizedTest
        @ValueSource(strings = {"1e9", "1E9", "-5", "NaN", "Infinity", "0", "0.00", "1,000", "1 000", "+5", ".5", "5.",
                "0x10", "1.23456", "1234567890123456", "١٢٣"})
        void rejected(String amount) {
            assertThat(errorFields("paypro-ke", set("amount", amount))).containsExactly("amount");
        }

        @Test
        void emptyOrAbsentIsRequired() {
            PayoutStore.Candidate empty = check("paypro-ke", set("amount", ""));
            assertThat(empty.errors()).extracting(FieldError::field).containsExactly("amount");
            assertThat(empty.errors().get(0).reason()).isEqualTo("is required");
            assertThat(errorFields("paypro-ke", f -> f.remove("amount"))).containsExactly("amount");
        }

        @Test
        void zeroAndNegativeSayGreaterThanZero() {
            assertThat(check("paypro-ke", set("amount", "0")).errors()).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("greater than zero"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "500", "100.00", "999999999999999", "0500"})
        void plainDecimalsAccepted(String amount) {
            assertThat(errorFields("paypro-ke", set("amount", amount))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void payproTakesWholeAmountsOnly(String account) {
            assertThat(errorFields(account, set("amount", "100.50"))).containsExactly("amount");
            assertThat(errorFields(account, set("amount", "100.5"))).containsExactly("amount");
            assertThat(errorFields(account, set("amount", "0.01"))).containsExactly("amount");
            assertThat(errorFields(account, set("amount", "100.0"))).isEmpty();
            assertThat(errorFields(account, set("amount", "100.0000"))).isEmpty();
        }

        @Test
        void kenyaMinimumAmountIsASetting() {
            Map<String, String> m = settings();
            m.put("payout.provider.paypro-ke.min-amount", "51");
            Map<String, String> f = valid("paypro-ke");
            f.put("amount", "50");
            assertThat(validator(m).validate(PayoutInstruction.of(f)).errors()).extracting(FieldError::field).containsExactly("amount");
            f.put("amount", "51");
            assertThat(validator(m).validate(PayoutInstruction.of(f)).errors()).isEmpty();
        }

        @Test
        void diamondPayAtMostTwoDecimals() {
            assertThat(errorFields("diamondpay-id", set("amount", "100.25"))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("amount", "100.5"))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("amount", "100.2500"))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("amount", "100.255"))).containsExactly("amount");
            assertThat(errorFields("diamondpay-id", set("amount", "0.001"))).containsExactly("amount");
        }

        @Test
        void diamondPayAmountFitsIntegerTenCents() {
            assertThat(errorFields("diamondpay-id", set("amount", "99999999.99"))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("amount", "100000000"))).containsExactly("amount");
        }

        @Test
        void oneAmountErrorOnlyEvenWhenTheConnectorAlsoChecks() {
            assertThat(errorFields("paypro-id", set("amount", "-5"))).containsExactly("amount");
            assertThat(errorFields("diamondpay-id", set("amount", "1e9"))).containsExactly("amount");
        }
    }

    // ============================================================================ Paypro Indonesia

    @Nested
    class Indonesia {
        @Test
        void mobileBoundaries() {
            // 9 digits: too short; 10 and 13 digits: fine; 14 digits: too long; both prefixes
            assertThat(errorFields("paypro-id", set("mobile", "081234567"))).as("9 digits, 08").containsExactly("mobile");
            assertThat(errorFields("paypro-id", set("mobile", "0812345678"))).as("10 digits, 08").isEmpty();
            assertThat(errorFields("paypro-id", set("mobile", "0812345678901"))).as("13 digits, 08").isEmpty();
            assertThat(errorFields("paypro-id", set("mobile", "08123456789012"))).as("14 digits, 08").containsExactly("mobile");
            assertThat(errorFields("paypro-id", set("mobile", "628123456"))).as("9 digits, 628").containsExactly("mobile");
            assertThat(errorFields("paypro-id", set("mobile", "6281234567"))).as("10 digits, 628").isEmpty();
            assertThat(errorFields("paypro-id", set("mobile", "6281234567890"))).as("13 digits, 628").isEmpty();
            assertThat(errorFields("paypro-id", set("mobile", "62812345678901"))).as("14 digits, 628").containsExactly("mobile");
        }

        @ParameterizedTest
        @ValueSource(strings = {"+6281245907765", "6181245907765", "0712345678", "08123-45678", "08l2345678", "812345678901"})
        void mobileShape(String mobile) {
            assertThat(errorFields("paypro-id", set("mobile", mobile))).containsExactly("mobile");
        }

        @Test
        void mobileRequired() {
            assertThat(errorFields("paypro-id", f -> f.remove("mobile"))).containsExactly("mobile");
        }

        @Test
        void emailRequiredAndShaped() {
            assertThat(errorFields("paypro-id", f -> f.remove("email"))).containsExactly("email");
            assertThat(errorFields("paypro-id", set("email", "not-an-email"))).containsExactly("email");
            assertThat(errorFields("paypro-id", set("email", "a@b"))).containsExactly("email");
        }

        @Test
        void beneficiaryAccountAndBankRequired() {
            assertThat(errorFields("paypro-id", f -> f.remove("beneficiary_name"))).containsExactly("beneficiary_name");
            assertThat(errorFields("paypro-id", f -> f.remove("account_number"))).containsExactly("account_number");
            assertThat(errorFields("paypro-id", f -> f.remove("bank_code"))).containsExactly("bank_code");
            assertThat(errorFields("paypro-id", set("bank_code", "00 02"))).containsExactly("bank_code");
        }

        @Test
        void notifyUrlNeedsTheCallbackBaseUrl() {
            Map<String, String> m = settings();
            m.remove("payout.callback.base-url");
            assertThat(validator(m).validate(PayoutInstruction.of(valid("paypro-id"))).errors())
                    .extracting(FieldError::field).containsExactly("notify_url");
        }
    }

    // =============================================================================== Paypro Kenya

    @Nested
    class Kenya {
        @ParameterizedTest
        @ValueSource(strings = {"254115555088", "254712345678"})
        void mobileAccepted(String mobile) {
            assertThat(errorFields("paypro-ke", set("mobile", mobile))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"25411555508", "2541155550880", "254215555088", "0712345678", "+254712345678",
                "255712345678", "25471234567x"})
        void mobileRejected(String mobile) {
            assertThat(errorFields("paypro-ke", set("mobile", mobile))).containsExactly("mobile");
        }

        @Test
        void mobileRequired() {
            assertThat(errorFields("paypro-ke", f -> f.remove("mobile"))).containsExactly("mobile");
        }

        @Test
        void remarkAndCallbackAreOptional() {
            Map<String, String> m = settings();
            m.remove("payout.callback.base-url");
            assertThat(validator(m).validate(PayoutInstruction.of(valid("paypro-ke"))).errors()).isEmpty();
        }
    }

    // ============================================================================ Paypro Pakistan

    @Nested
    class Pakistan {
        @ParameterizedTest
        @ValueSource(strings = {"1730123456789", "17301-2345678-9"})
        void cnicAccepted(String cnic) {
            assertThat(errorFields("paypro-pk", set("id_number", cnic))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"173012345678", "17301234567890", "17301-234567-89", "1730-12345678-9", "17301 2345678 9",
                "17301-2345678-", "A730123456789"})
        void cnicRejected(String cnic) {
            assertThat(errorFields("paypro-pk", set("id_number", cnic))).containsExactly("id_number");
        }

        @Test
        void cnicRequired() {
            assertThat(errorFields("paypro-pk", f -> f.remove("id_number"))).containsExactly("id_number");
        }

        @ParameterizedTest
        @ValueSource(strings = {"311511234", "31151123456", "03115112345", "4115112345", "+923115112345"})
        void mobileRejected(String mobile) {
            assertThat(errorFields("paypro-pk", set("mobile", mobile))).containsExactly("mobile");
        }

        @Test
        void accountTypeBankOrWallet() {
            assertThat(errorFields("paypro-pk", set("account_type", "WALLET"))).isEmpty();
            assertThat(errorFields("paypro-pk", set("account_type", "bank"))).containsExactly("account_type");
            assertThat(errorFields("paypro-pk", set("account_type", "CARD"))).containsExactly("account_type");
            assertThat(errorFields("paypro-pk", f -> f.remove("account_type"))).containsExactly("account_type");
        }

        @Test
        void remarkRequired() {
            assertThat(errorFields("paypro-pk", f -> f.remove("remark"))).containsExactly("remark");
        }

        @Test
        void emailNameBankAndAccountRequired() {
            assertThat(errorFields("paypro-pk", f -> f.remove("email"))).containsExactly("email");
            assertThat(errorFields("paypro-pk", f -> f.remove("beneficiary_name"))).containsExactly("beneficiary_name");
            assertThat(errorFields("paypro-pk", f -> f.remove("bank_code"))).containsExactly("bank_code");
            assertThat(errorFields("paypro-pk", f -> f.remove("account_number"))).containsExactly("account_number");
        }

        @Test
        void everyErrorAtOnce() {
            assertThat(errorFields("paypro-pk", f -> {
                f.put("id_number", "123");
                f.put("mobile", "0300");
                f.put("account_type", "X");
                f.remove("remark");
                f.put("amount", "1.5");
            })).containsExactlyInAnyOrder("amount", "id_number", "mobile", "account_type", "remark");
        }
    }

    // ================================================================================ DiamondPay

    @Nested
    class DiamondPay {
        @Test
        void nameUpTo16() {
            assertThat(errorFields("diamondpay-id", set("beneficiary_name", "N".repeat(16)))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("beneficiary_name", "N".repeat(17)))).containsExactly("beneficiary_name");
        }

        @Test
        void bankCodeUpTo16() {
            assertThat(errorFields("diamondpay-id", set("bank_code", "B".repeat(16)))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("bank_code", "B".repeat(17)))).containsExactly("bank_code");
        }

        @Test
        void numberUpTo32() {
            assertThat(errorFields("diamondpay-id", set("account_number", "1".repeat(32)))).isEmpty();
            assertThat(errorFields("diamondpay-id", set("account_number", "1".repeat(33)))).containsExactly("account_number");
        }

        @Test
        void requiredFields() {
            assertThat(errorFields("diamondpay-id", f -> f.remove("beneficiary_name"))).containsExactly("beneficiary_name");
            assertThat(errorFields("diamondpay-id", f -> f.remove("bank_code"))).containsExactly("bank_code");
            assertThat(errorFields("diamondpay-id", f -> f.remove("account_number"))).containsExactly("account_number");
        }

        @Test
        void mobileAndEmailNotNeeded() {
            assertThat(errorFields("diamondpay-id", f -> {
                f.remove("mobile");
                f.remove("email");
            })).isEmpty();
        }
    }

    // ==================================================================================== common

    @Test
    void callbackUrlMustBeHttp() {
        assertThat(errorFields("paypro-ke", set("callback_url", "ftp://x"))).containsExactly("callback_url");
        assertThat(errorFields("paypro-ke", set("callback_url", "https://erp.example.com/cb"))).isEmpty();
    }

    @Test
    void remarkUpTo255() {
        assertThat(errorFields("paypro-ke", set("remark", "r".repeat(255)))).isEmpty();
        assertThat(errorFields("paypro-ke", set("remark", "r".repeat(256)))).containsExactly("remark");
    }
}
