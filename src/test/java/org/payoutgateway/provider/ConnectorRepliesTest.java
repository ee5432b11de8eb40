package org.payoutgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.payoutgateway.config.Settings;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.ProviderReply.Outcome;
import org.payoutgateway.provider.diamondpay.DiamondPayConnector;
import org.payoutgateway.provider.diamondpay.DiamondPaySignature;
import org.payoutgateway.provider.paypro.PayproConnector;
import org.payoutgateway.provider.paypro.PayproSignature;

/**
 * The four connectors as {@link ProviderAccounts} builds them from settings: how every class of
 * provider reply in PROVIDERS.md is classified, the exact JSON of the create and query requests,
 * and how transport failures are read.
 */
class ConnectorRepliesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2024-12-01T10:30:21.335Z");
    static final long NOW_MS = NOW.toEpochMilli();      // 1733049021335
    static final long NOW_S = NOW.getEpochSecond();     // 1733049021

    static Map<String, String> baseSettings() {
        Map<String, String> m = new HashMap<>();
        m.put("payout.provider.accounts", "paypro-id,paypro-ke,paypro-pk,diamondpay-id");
        m.put("payout.callback.base-url", "https://gw.example.com/");
        m.put("payout.provider.paypro-id.base-url", "https://openapi-test.paypro.tech/indonesia-pay/");
        m.put("payout.provider.paypro-id.merchant-no", "1000000001");
        m.put("payout.provider.paypro-id.secret", "secret-id");
        m.put("payout.provider.paypro-ke.base-url", "https://kenya.example.com/kenya-pay");
        m.put("payout.provider.paypro-ke.merchant-no", "1000000002");
        m.put("payout.provider.paypro-ke.secret", "secret-ke");
        m.put("payout.provider.paypro-pk.base-url", "https://openapi-test.paypro.tech/pak-pay");
        m.put("payout.provider.paypro-pk.merchant-no", "1000000003");
        m.put("payout.provider.paypro-pk.secret", "secret-pk");
        m.put("payout.provider.diamondpay-id.base-url", "https://dp.example.com");
        m.put("payout.provider.diamondpay-id.platform-id", "PF0002");
        m.put("payout.provider.diamondpay-id.key", "ThisIsYourSecretKey123");
        m.put("payout.provider.diamondpay-id.authorization", "auth-token-123");
        return m;
    }

    static ProviderAccounts accounts(Map<String, String> map) {
        return new ProviderAccounts(new Settings(k -> Optional.ofNullable(map.get(k))));
    }

    static ProviderConnector connector(String account) {
        return accounts(baseSettings()).get(account);
    }

    static ProviderConnector connector(String account, String key, String value) {
        Map<String, String> m = baseSettings();
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return accounts(m).get(account);
    }

    static Payout payout(String account, PayoutInstruction in) {
        return new Payout(in.reference(), in, account, "file", "f.csv#1", PayoutState.SENDING, null, null, null,
                1, 0, false, false, null, NOW, NOW);
    }

    static PayoutInstruction indonesia(String amount, String remark) {
        return new PayoutInstruction("REF-ID-1", "ID", null, amount, "IDR", "kevin", "5464438554636", "0002", null,
                "6281245907765", "kevin@example.com", null, remark, null);
    }

    static PayoutInstruction kenya(String amount, String remark) {
        return new PayoutInstruction("REF-KE-1", "KE", null, amount, "KES", null, null, null, null,
                "254115555088", null, null, remark, null);
    }

    static PayoutInstruction pakistan(String cnic) {
        return new PayoutInstruction("REF-PK-1", "PK", null, "5000", "PKR", "Jane Doe", "9876543210",
                "ALLIED_BANK_LIMITED", "BANK", "3115112345", "jane@example.com", cnic, "Payment for invoice #1001", null);
    }

    static PayoutInstruction diamond(String amount) {
        return new PayoutInstruction("DEVPOT00143538", "ID", "diamondpay-id", amount, "IDR", "test_name",
                "4088748280272397", "BCA", null, null, null, null, null, null);
    }

    static JsonNode body(ProviderRequest r) throws IOException {
        return JSON.readTree(r.body());
    }

    static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(JsonNode node) {
        return JSON.convertValue(node, Map.class);
    }

    /** No field is sent as JSON null or as an empty or blank string (they would sign as "null" or be skipped). */
    static void assertNoNullOrEmptyFields(JsonNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertThat(e.getValue().isNull()).as("field %s is null", e.getKey()).isFalse();
            if (e.getValue().isTextual()) {
                assertThat(e.getValue().asText()).as("field %s", e.getKey()).isNotBlank();
            }
        }
    }

    static ProviderReply create(String account, int http, String body) {
        return connector(account).readCreateReply(http, body);
    }

    static ProviderReply query(String account, int http, String body) {
        return connector(account).readQueryReply("REF-1", http, body);
    }

    static String payproReply(String code, String status, String refField, String ref) {
        return "{\"msg\":\"m\",\"code\":\"" + code + "\",\"timestamp\":1728611805322,\"success\":true,"
                + "\"data\":{\"tradeNo\":\"REF-1\",\"" + refField + "\":\"" + ref + "\",\"status\":\"" + status
                + "\",\"desc\":\"D\",\"message\":\"M\"}}";
    }

    // =========================================================================== Paypro replies

    @Nested
    class PayproCreateReplies {

        @Test
        void indonesianDocumentExampleIsProcessingWithPlatFormTradeNo() {
            String seed = """
                    {
                        "msg": "success",
                        "code": "0000",
                        "timestamp": 1728611805322,
                        "success": true,
                        "data": {
                            "tradeNo": "test_111",
                            "platFormTradeNo": "2tjba3vz6wm6hx3l",
                            "status": "0015",
                            "desc": "CREATED",
                            "remark":"test"
                        }
                    }""";
            ProviderReply r = create("paypro-id", 200, seed);
            assertThat(r.outcome()).isEqualTo(Outcome.PROCESSING);
            assertThat(r.providerReference()).isEqualTo("2tjba3vz6wm6hx3l");
            assertThat(r.providerStatus()).isEqualTo("0015");
            assertThat(r.message()).isEqualTo("CREATED");
        }

        @Test
        void kenyanDocumentExampleIsProcessingWithSerialNumber() {
            String seed = """
                    {
                        "msg": "success",
                        "code": "0000",
                        "timestamp": 1719829933893,
                        "success": true,
                        "data": {
                            "serialNumber": "32e936de44164512abe419a9d1b2449a",
                            "status": "0015",
                            "desc": "CREDIT_INPROGRESS"
                        }
                    }""";
            ProviderReply r = create("paypro-ke", 200, seed);
            assertThat(r.outcome()).isEqualTo(Outcome.PROCESSING);
            assertThat(r.providerReference()).isEqualTo("32e936de44164512abe419a9d1b2449a");
            assertThat(r.providerStatus()).isEqualTo("0015");
        }

        @Test
        void pakistaniDocumentExampleIsProcessingWithPlatFormTradeNo() {
            String seed = """
                    {"msg": "success", "code": "0000",
                     "data": {"platFormTradeNo": "dxy6779lhk4vofur", "remark": "Payment for invoice #1001",
                              "status": "0015", "desc": "CREATED"},
                     "success": true, "timestamp": 1731656734898}""";
            ProviderReply r = create("paypro-pk", 200, seed);
            assertThat(r.outcome()).isEqualTo(Outcome.PROCESSING);
            assertThat(r.providerReference()).isEqualTo("dxy6779lhk4vofur");
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void dataStatusClassesOnCreate(String account) {
            assertThat(create(account, 200, payproReply("0000", "0015", "platFormTradeNo", "P1")))
                    .extracting(ProviderReply::outcome, ProviderReply::providerReference)
                    .containsExactly(Outcome.PROCESSING, "P1");
            assertThat(create(account, 200, payproReply("0000", "0000", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(create(account, 200, payproReply("0000", "00029", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(create(account, 200, payproReply("0000", "0001", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(create(account, 200, payproReply("0000", "00032", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(create(account, 200, payproReply("0000", "0100019", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(create(account, 200, payproReply("0000", "9999", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.FAILED);
        }

        @Test
        void kenyaSerialNumberIsTheProviderReferenceForEveryStatus() {
            assertThat(create("paypro-ke", 200, payproReply("0000", "0000", "serialNumber", "S1")))
                    .extracting(ProviderReply::outcome, ProviderReply::providerReference)
                    .containsExactly(Outcome.SUCCESS, "S1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void outerCodes(String account) {
            ProviderReply systemError = create(account, 200, "{\"code\":\"5000\",\"msg\":\"System operation exception\"}");
            assertThat(systemError.outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(systemError.providerStatus()).isEqualTo("5000");
            ProviderReply refused = create(account, 200, "{\"code\":\"1001\",\"msg\":\"sign error\",\"success\":false}");
            assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(refused.providerStatus()).isEqualTo("1001");
            assertThat(refused.message()).isEqualTo("sign error");
            // an outer refusal wins over whatever data says
            assertThat(create(account, 200, payproReply("1001", "0000", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.FAILED);
        }

        @Test
        void createUnknownCodesIsASetting() {
            ProviderConnector c = connector("paypro-id", "payout.provider.paypro-id.create.unknown-codes", "5000,5001");
            assertThat(c.readCreateReply(200, "{\"code\":\"5001\"}").outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(c.readCreateReply(200, "{\"code\":\"5000\"}").outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(c.readCreateReply(200, "{\"code\":\"1001\"}").outcome()).isEqualTo(Outcome.FAILED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void httpStatuses(String account) {
            String ok = payproReply("0000", "0000", "platFormTradeNo", "P1");
            for (int http : new int[] {500, 502, 503, 504, 400, 404, 301}) {
                assertThat(create(account, http, ok).outcome()).as("HTTP %d", http).isEqualTo(Outcome.UNKNOWN);
            }
            assertThat(create(account, 429, ok).outcome()).isEqualTo(Outcome.NOT_TAKEN);
            assertThat(create(account, 201, ok).outcome()).isEqualTo(Outcome.SUCCESS);
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void unreadableBodiesAreUnknown(String account) {
            for (String body : new String[] {null, "", "   ", "<html>Bad Gateway</html>", "not json",
                    "[{\"code\":\"0000\"}]", "\"0000\"", "{\"msg\":\"no code\"}", "{\"code\":null}", "{\"code\":\"00"}) {
                assertThat(create(account, 200, body).outcome()).as("body %s", body).isEqualTo(Outcome.UNKNOWN);
            }
        }

        @Test
        void takenWithoutDataStatusIsLeftToTheQuery() {
            ProviderReply r = create("paypro-id", 200, "{\"code\":\"0000\",\"msg\":\"success\",\"data\":{\"platFormTradeNo\":\"P9\"}}");
            assertThat(r.outcome()).isNotIn(Outcome.FAILED, Outcome.SUCCESS, Outcome.NOT_TAKEN);
            assertThat(r.providerReference()).isEqualTo("P9");
        }
    }

    @Nested
    class PayproQueryReplies {

        @Test
        void kenyanQueryDocumentExampleIsFailed() {
            String seed = """
                    {
                        "msg": "success",
                        "code": "0000",
                        "timestamp": 1719830071094,
                        "success": true,
                        "data": {
                            "platFormTradeNo": "5286e98841194687a95d25b5f3be346d",
                            "tradeNo": "00000020",
                            "amount": 3.0000,
                            "status": "00029",
                            "message": "REJECTED_TRANSACTION",
                            "successTime": "2024-07-01 18:34:31"
                        }
                    }""";
            ProviderReply r = connector("paypro-ke").readQueryReply("00000020", 200, seed);
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.providerReference()).isEqualTo("5286e98841194687a95d25b5f3be346d");
            assertThat(r.providerStatus()).isEqualTo("00029");
            assertThat(r.message()).isEqualTo("REJECTED_TRANSACTION");
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void dataStatusClassesOnQuery(String account) {
            assertThat(query(account, 200, payproReply("0000", "0015", "platFormTradeNo", "P1")))
                    .extracting(ProviderReply::outcome, ProviderReply::providerReference)
                    .containsExactly(Outcome.PROCESSING, "P1");
            assertThat(query(account, 200, payproReply("0000", "0000", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(query(account, 200, payproReply("0000", "00029", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(query(account, 200, payproReply("0000", "0001", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(query(account, 200, payproReply("0000", "00032", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(query(account, 200, payproReply("0000", "0100019", "platFormTradeNo", "P1")).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(query(account, 200, "{\"code\":\"0000\",\"data\":{}}").outcome()).isEqualTo(Outcome.UNKNOWN);
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void outerCodeOtherThan0000IsUnknownByDefault(String account) {
            for (String code : new String[] {"1001", "5000", "9999", "0004"}) {
                ProviderReply r = query(account, 200, "{\"code\":\"" + code + "\",\"msg\":\"x\"}");
                assertThat(r.outcome()).as("code %s", code).isEqualTo(Outcome.UNKNOWN);
                assertThat(r.providerStatus()).isEqualTo(code);
            }
        }

        @Test
        void outerCodeListedAsNotFoundIsNotFound() {
            ProviderConnector c = connector("paypro-id", "payout.provider.paypro-id.query.not-found-codes", "2001, 2002");
            assertThat(c.readQueryReply("REF-1", 200, "{\"code\":\"2001\",\"msg\":\"order not exist\"}").outcome()).isEqualTo(Outcome.NOT_FOUND);
            assertThat(c.readQueryReply("REF-1", 200, "{\"code\":\"2002\"}").outcome()).isEqualTo(Outcome.NOT_FOUND);
            assertThat(c.readQueryReply("REF-1", 200, "{\"code\":\"1001\"}").outcome()).isEqualTo(Outcome.UNKNOWN);
            // the setting belongs to its account only
            assertThat(connector("paypro-ke", "payout.provider.paypro-id.query.not-found-codes", "2001")
                    .readQueryReply("REF-1", 200, "{\"code\":\"2001\"}").outcome()).isEqualTo(Outcome.UNKNOWN);
        }

        @ParameterizedTest
        @ValueSource(strings = {"paypro-id", "paypro-ke", "paypro-pk"})
        void httpStatusesAndUnreadableBodiesOnQueryAreUnknown(String account) {
            String ok = payproReply("0000", "0000", "platFormTradeNo", "P1");
            for (int http : new int[] {429, 500, 502, 503, 404}) {
                assertThat(query(account, http, ok).outcome()).as("HTTP %d", http).isEqualTo(Outcome.UNKNOWN);
            }
            for (String body : new String[] {null, "", "garbage", "[]", "{}"}) {
                assertThat(query(account, 200, body).outcome()).as("body %s", body).isEqualTo(Outcome.UNKNOWN);
            }
        }
    }

    // ======================================================================== DiamondPay replies

    @Nested
    class DiamondPayReplies {

        @Test
        void createSuccessIsProcessingWithPayoutId() {
            ProviderReply r = create("diamondpay-id", 200, "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT00000001\"}}");
            assertThat(r.outcome()).isEqualTo(Outcome.PROCESSING);
            assertThat(r.providerReference()).isEqualTo("POT00000001");
        }

        @Test
        void createErrorsAreFailed() {
            ProviderReply sign = create("diamondpay-id", 200, "{\"error_code\":\"0004\",\"error_msg\":\"Signature verification failed!\"}");
            assertThat(sign.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(sign.providerStatus()).isEqualTo("0004");
            assertThat(sign.message()).isEqualTo("Signature verification failed!");
            assertThat(create("diamondpay-id", 200, "{\"error_code\":\"0006\",\"error_msg\":\"invalid Authorization\"}").outcome())
                    .isEqualTo(Outcome.FAILED);
        }

        @Test
        void createHttpAndUnreadableBodies() {
            String ok = "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\"}}";
            for (int http : new int[] {500, 502, 503, 504}) {
                assertThat(create("diamondpay-id", http, ok).outcome()).as("HTTP %d", http).isEqualTo(Outcome.UNKNOWN);
            }
            assertThat(create("diamondpay-id", 429, ok).outcome()).isEqualTo(Outcome.NOT_TAKEN);
            for (String body : new String[] {null, "", "<html/>", "[{\"error_code\":\"0000\"}]", "{\"data\":{}}"}) {
                assertThat(create("diamondpay-id", 200, body).outcome()).as("body %s", body).isEqualTo(Outcome.UNKNOWN);
            }
        }

        @Test
        void queryStatuses() {
            String[][] cases = {{"1", "PROCESSING"}, {"2", "PROCESSING"}, {"3", "SUCCESS"}, {"4", "FAILED"}, {"5", "FAILED"},
                    {"9", "UNKNOWN"}};
            for (String[] c : cases) {
                String text = "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\",\"payout_cl_id\":\"REF-1\","
                        + "\"status\":\"" + c[0] + "\"}}";
                String number = "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\",\"status\":" + c[0] + "}}";
                ProviderReply r = query("diamondpay-id", 200, text);
                assertThat(r.outcome()).as("status %s", c[0]).isEqualTo(Outcome.valueOf(c[1]));
                assertThat(r.providerReference()).isEqualTo("POT1");
                assertThat(r.providerStatus()).isEqualTo(c[0]);
                assertThat(query("diamondpay-id", 200, number).outcome()).as("status %s as number", c[0]).isEqualTo(Outcome.valueOf(c[1]));
            }
        }

        @Test
        void queryNotFoundAndOtherErrors() {
            assertThat(query("diamondpay-id", 200, "{\"error_code\":\"0050\",\"error_msg\":\"order not found\"}").outcome())
                    .isEqualTo(Outcome.NOT_FOUND);
            assertThat(query("diamondpay-id", 200, "{\"error_code\":\"0006\",\"error_msg\":\"invalid Authorization\"}").outcome())
                    .isEqualTo(Outcome.UNKNOWN);
            assertThat(query("diamondpay-id", 200, "{\"error_code\":\"0004\"}").outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(query("diamondpay-id", 200, "{\"error_code\":\"0000\",\"data\":{}}").outcome()).isEqualTo(Outcome.UNKNOWN);
            for (int http : new int[] {429, 500, 503}) {
                assertThat(query("diamondpay-id", http, "{\"error_code\":\"0050\"}").outcome()).isEqualTo(Outcome.UNKNOWN);
            }
            for (String body : new String[] {null, "", "oops", "[]"}) {
                assertThat(query("diamondpay-id", 200, body).outcome()).isEqualTo(Outcome.UNKNOWN);
            }
        }

        @Test
        void listFormDataArray() {
            ProviderConnector list = connector("diamondpay-id", "payout.provider.diamondpay-id.query-form", "list");
            ProviderReply r = list.readQueryReply("DEVPOT00143538", 200, "{\"error_code\":\"0000\",\"data\":[{\"payout_id\":\"POT7\","
                    + "\"payout_cl_id\":\"DEVPOT00143538\",\"status\":3}]}");
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(r.providerReference()).isEqualTo("POT7");
            assertThat(list.readQueryReply("DEVPOT00143538", 200, "{\"error_code\":\"0000\",\"data\":[{\"payout_id\":\"POT7\","
                    + "\"payout_cl_id\":\"DEVPOT00143538\",\"status\":\"4\"}]}").outcome()).isEqualTo(Outcome.FAILED);
            // a list that does not hold our payout tells nothing of it, whatever it holds
            assertThat(list.readQueryReply("DEVPOT00143538", 200, "{\"error_code\":\"0000\",\"data\":[{\"payout_id\":\"POT8\","
                    + "\"payout_cl_id\":\"SOMEONE-ELSE\",\"status\":3}]}").outcome()).isEqualTo(Outcome.NOT_FOUND);
            assertThat(list.readQueryReply("DEVPOT00143538", 200, "{\"error_code\":\"0000\",\"data\":[]}").outcome()).isEqualTo(Outcome.NOT_FOUND);
            assertThat(list.readQueryReply("DEVPOT00143538", 200, "{\"error_code\":\"0050\",\"data\":[]}").outcome()).isEqualTo(Outcome.NOT_FOUND);
            // a single-form reply about another payout is not taken for ours
            assertThat(connector("diamondpay-id").readQueryReply("DEVPOT00143538", 200, "{\"error_code\":\"0000\",\"data\":"
                    + "{\"payout_id\":\"POT8\",\"payout_cl_id\":\"SOMEONE-ELSE\",\"status\":3}}").outcome()).isEqualTo(Outcome.UNKNOWN);
        }
    }

    // ========================================================================== create requests

    @Nested
    class CreateRequests {

        @Test
        void indonesiaAmountAndTimestampAreJsonNumbers() throws IOException {
            ProviderConnector c = connector("paypro-id");
            ProviderRequest r = c.createRequest(payout("paypro-id", indonesia("100000", "remark")), NOW);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.url()).isEqualTo("https://openapi-test.paypro.tech/indonesia-pay/v1/paypro/payOut");
            assertThat(r.headers()).containsEntry("merchantNo", "1000000001").containsEntry("Content-Type", "application/json");
            JsonNode b = body(r);
            assertThat(keys(b)).containsExactly("amount", "bankAccountNo", "bankCode", "customerName", "email", "mobile",
                    "notifyUrl", "remark", "timestamp", "tradeNo", "sign");
            assertThat(b.get("amount").isIntegralNumber()).isTrue();
            assertThat(b.get("amount").asLong()).isEqualTo(100000);
            assertThat(r.body()).contains("\"amount\":100000,").doesNotContain("100000.0");
            assertThat(b.get("timestamp").isIntegralNumber()).isTrue();
            assertThat(b.get("timestamp").asLong()).isEqualTo(NOW_MS);
            assertThat(b.get("tradeNo").asText()).isEqualTo("REF-ID-1");
            assertThat(b.get("notifyUrl").asText()).isEqualTo("https://gw.example.com/notify/paypro-id");
            assertThat(b.get("bankAccountNo").isTextual()).isTrue();
            assertThat(b.get("mobile").isTextual()).isTrue();
            assertNoNullOrEmptyFields(b);
            assertThat(PayproSignature.verify(asMap(b), "secret-id", PayproSignature.SaltPosition.APPEND)).isTrue();
            assertThat(((PayproConnector) c).verify(asMap(b))).isTrue();
        }

        @Test
        void indonesiaExactBodyAndSign() {
            ProviderRequest r = connector("paypro-id").createRequest(payout("paypro-id", indonesia("100000", "remark")), NOW);
            // sign: printf '%s' 'amount=100000bankAccountNo=5464438554636bankCode=0002customerName=kevin
            //   email=kevin@example.commobile=6281245907765notifyUrl=https://gw.example.com/notify/paypro-id
            //   remark=remarktimestamp=1733049021335tradeNo=REF-ID-1secret-id' | md5sum   (one line)
            assertThat(r.body()).isEqualTo("{\"amount\":100000,\"bankAccountNo\":\"5464438554636\",\"bankCode\":\"0002\","
                    + "\"customerName\":\"kevin\",\"email\":\"kevin@example.com\",\"mobile\":\"6281245907765\","
                    + "\"notifyUrl\":\"https://gw.example.com/notify/paypro-id\",\"remark\":\"remark\","
                    + "\"timestamp\":1733049021335,\"tradeNo\":\"REF-ID-1\",\"sign\":\"" + INDONESIA_SIGN + "\"}");
        }

        @Test
        void wholeAmountWithZeroDecimalsIsSentWhole() throws IOException {
            JsonNode b = body(connector("paypro-id").createRequest(payout("paypro-id", indonesia("100000.00", null)), NOW));
            assertThat(b.get("amount").isIntegralNumber()).isTrue();
            assertThat(b.get("amount").asLong()).isEqualTo(100000);
        }

        @Test
        void saltPositionPrependIsUsedWhenSet() throws IOException {
            ProviderConnector c = connector("paypro-id", "payout.provider.paypro-id.sign-salt", "prepend");
            JsonNode b = body(c.createRequest(payout("paypro-id", indonesia("100000", "remark")), NOW));
            assertThat(PayproSignature.verify(asMap(b), "secret-id", PayproSignature.SaltPosition.PREPEND)).isTrue();
            assertThat(PayproSignature.verify(asMap(b), "secret-id", PayproSignature.SaltPosition.APPEND)).isFalse();
        }

        @Test
        void indonesiaOmitsAbsentRemark() throws IOException {
            JsonNode b = body(connector("paypro-id").createRequest(payout("paypro-id", indonesia("100000", null)), NOW));
            assertThat(b.has("remark")).isFalse();
            assertNoNullOrEmptyFields(b);
        }

        @Test
        void kenyaAmountIsAJsonStringAndTimestampANumberByDefault() throws IOException {
            ProviderRequest r = connector("paypro-ke").createRequest(payout("paypro-ke", kenya("500", "r1")), NOW);
            assertThat(r.url()).isEqualTo("https://kenya.example.com/kenya-pay/api/payout");
            assertThat(r.headers()).containsEntry("merchantNo", "1000000002");
            JsonNode b = body(r);
            assertThat(keys(b)).containsExactly("amount", "mobile", "notifyUrl", "remark", "timestamp", "tradeNo", "sign");
            assertThat(b.get("amount").isTextual()).isTrue();
            assertThat(b.get("amount").asText()).isEqualTo("500");
            assertThat(b.get("timestamp").isIntegralNumber()).isTrue();
            assertThat(b.get("timestamp").asLong()).isEqualTo(NOW_MS);
            assertThat(b.get("mobile").asText()).isEqualTo("254115555088");
            assertThat(PayproSignature.verify(asMap(b), "secret-ke", PayproSignature.SaltPosition.APPEND)).isTrue();
        }

        @Test
        void kenyaTimestampIsAStringWithIntegerFieldsString() throws IOException {
            ProviderConnector c = connector("paypro-ke", "payout.provider.paypro-ke.integer-fields", "string");
            JsonNode b = body(c.createRequest(payout("paypro-ke", kenya("500", null)), NOW));
            assertThat(b.get("timestamp").isTextual()).isTrue();
            assertThat(b.get("timestamp").asText()).isEqualTo(String.valueOf(NOW_MS));
            assertThat(b.get("amount").isTextual()).isTrue();
        }

        @Test
        void kenyaWithoutCallbackOrRemarkSendsNeither() throws IOException {
            ProviderConnector c = connector("paypro-ke", "payout.callback.base-url", null);
            JsonNode b = body(c.createRequest(payout("paypro-ke", kenya("500", null)), NOW));
            assertThat(keys(b)).containsExactly("amount", "mobile", "timestamp", "tradeNo", "sign");
            assertNoNullOrEmptyFields(b);
        }

        @Test
        void pakistanAmountAndTimestampAreStrings() throws IOException {
            ProviderRequest r = connector("paypro-pk").createRequest(payout("paypro-pk", pakistan("17301-2345678-9")), NOW);
            assertThat(r.url()).isEqualTo("https://openapi-test.paypro.tech/pak-pay/v1/payproPK/payout");
            assertThat(r.headers()).containsEntry("merchantNo", "1000000003");
            JsonNode b = body(r);
            assertThat(keys(b)).containsExactly("accountType", "amount", "bankName", "bankNumber", "customerCert", "email",
                    "mobile", "name", "notifyUrl", "remark", "timestamp", "tradeNo", "sign");
            assertThat(b.get("amount").isTextual()).isTrue();
            assertThat(b.get("amount").asText()).isEqualTo("5000");
            assertThat(b.get("timestamp").isTextual()).isTrue();
            assertThat(b.get("timestamp").asText()).isEqualTo(String.valueOf(NOW_MS));
            assertThat(b.get("customerCert").asText()).isEqualTo("1730123456789");
            assertThat(b.get("bankName").asText()).isEqualTo("ALLIED_BANK_LIMITED");
            assertThat(b.get("accountType").asText()).isEqualTo("BANK");
            assertNoNullOrEmptyFields(b);
            assertThat(PayproSignature.verify(asMap(b), "secret-pk", PayproSignature.SaltPosition.APPEND)).isTrue();
        }

        @Test
        void pakistanStaysStringsWhateverIntegerFieldsSays() throws IOException {
            ProviderConnector c = connector("paypro-pk", "payout.provider.paypro-pk.integer-fields", "number");
            JsonNode b = body(c.createRequest(payout("paypro-pk", pakistan("1730123456789")), NOW));
            assertThat(b.get("amount").isTextual()).isTrue();
            assertThat(b.get("timestamp").isTextual()).isTrue();
        }

        @Test
        void pakistanCnicDashedWhenConfigured() throws IOException {
            ProviderConnector c = connector("paypro-pk", "payout.provider.paypro-pk.cnic-format", "dashed");
            JsonNode b = body(c.createRequest(payout("paypro-pk", pakistan("1730123456789")), NOW));
            assertThat(b.get("customerCert").asText()).isEqualTo("17301-2345678-9");
        }

        @Test
        void diamondPayAmountInCentsAndRequestTimeInSeconds() throws IOException {
            ProviderRequest r = connector("diamondpay-id").createRequest(payout("diamondpay-id", diamond("500")), NOW);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.url()).isEqualTo("https://dp.example.com/gateway/api/v2/payouts");
            JsonNode b = body(r);
            assertThat(keys(b)).containsExactly("amount", "bank_name", "currency", "name", "notify_url", "number",
                    "payout_cl_id", "platform_id", "request_time", "service_id", "sign");
            assertThat(b.get("amount").isIntegralNumber()).isTrue();
            assertThat(b.get("amount").asLong()).isEqualTo(50000);
            assertThat(b.get("request_time").isIntegralNumber()).isTrue();
            assertThat(b.get("request_time").asLong()).isEqualTo(NOW_S);
            assertThat(b.get("currency").asText()).isEqualTo("idr");
            assertThat(b.get("service_id").asText()).isEqualTo("SVC0004");
            assertThat(b.get("platform_id").asText()).isEqualTo("PF0002");
            assertThat(b.get("bank_name").asText()).isEqualTo("BCA");
            assertThat(b.get("payout_cl_id").asText()).isEqualTo("DEVPOT00143538");
            assertThat(b.get("notify_url").asText()).isEqualTo("https://gw.example.com/notify/diamondpay-id");
            assertThat(b.has("sign_type")).isFalse();
            assertNoNullOrEmptyFields(b);
            assertThat(DiamondPaySignature.verify(asMap(b), "ThisIsYourSecretKey123", DiamondPaySignature.SignType.MD5)).isTrue();
            assertThat(((DiamondPayConnector) connector("diamondpay-id")).verify(asMap(b))).isTrue();
        }

        @Test
        void diamondPayExactBodyAndSign() {
            ProviderRequest r = connector("diamondpay-id").createRequest(payout("diamondpay-id", diamond("500")), NOW);
            // sign: printf '%s' 'amount=50000&bank_name=BCA&currency=idr&name=test_name
            //   &notify_url=https://gw.example.com/notify/diamondpay-id&number=4088748280272397
            //   &payout_cl_id=DEVPOT00143538&platform_id=PF0002&request_time=1733049021&service_id=SVC0004
            //   &ThisIsYourSecretKey123' | md5sum   (one line)
            assertThat(r.body()).isEqualTo("{\"amount\":50000,\"bank_name\":\"BCA\",\"currency\":\"idr\",\"name\":\"test_name\","
                    + "\"notify_url\":\"https://gw.example.com/notify/diamondpay-id\",\"number\":\"4088748280272397\","
                    + "\"payout_cl_id\":\"DEVPOT00143538\",\"platform_id\":\"PF0002\",\"request_time\":1733049021,"
                    + "\"service_id\":\"SVC0004\",\"sign\":\"" + DIAMOND_SIGN + "\"}");
        }

        @Test
        void diamondPayCentsOfDecimalAmounts() throws IOException {
            ProviderConnector c = connector("diamondpay-id");
            assertThat(body(c.createRequest(payout("diamondpay-id", diamond("150000")), NOW)).get("amount").asLong()).isEqualTo(15000000);
            assertThat(body(c.createRequest(payout("diamondpay-id", diamond("150000.5")), NOW)).get("amount").asLong()).isEqualTo(15000050);
            assertThat(body(c.createRequest(payout("diamondpay-id", diamond("0.01")), NOW)).get("amount").asLong()).isEqualTo(1);
            assertThat(body(c.createRequest(payout("diamondpay-id", diamond("10000.00")), NOW)).get("amount").asLong()).isEqualTo(1000000);
            assertThat(DiamondPayConnector.cents("10000.00")).isEqualTo(1000000);
        }

        @Test
        void diamondPayIntegerFieldsStringSendsAmountAndRequestTimeAsStrings() throws IOException {
            ProviderConnector c = connector("diamondpay-id", "payout.provider.diamondpay-id.integer-fields", "string");
            JsonNode b = body(c.createRequest(payout("diamondpay-id", diamond("500")), NOW));
            assertThat(b.get("amount").isTextual()).isTrue();
            assertThat(b.get("amount").asText()).isEqualTo("50000");
            assertThat(b.get("request_time").isTextual()).isTrue();
            assertThat(b.get("request_time").asText()).isEqualTo(String.valueOf(NOW_S));
            // the sign does not depend on the JSON type
            assertThat(b.get("sign").asText()).isEqualTo(DIAMOND_SIGN);
        }

        @Test
        void diamondPayHmacAccountSendsSignType() throws IOException {
            ProviderConnector c = connector("diamondpay-id", "payout.provider.diamondpay-id.sign-type", "HMAC-SHA256");
            JsonNode b = body(c.createRequest(payout("diamondpay-id", diamond("500")), NOW));
            assertThat(b.get("sign_type").asText()).isEqualTo("HMAC-SHA256");
            assertThat(b.get("sign").asText()).matches("[0-9a-f]{64}");
            assertThat(DiamondPaySignature.verify(asMap(b), "ThisIsYourSecretKey123", DiamondPaySignature.SignType.MD5)).isTrue();
        }

        @Test
        void diamondPayWithoutCallbackSendsNoNotifyUrl() throws IOException {
            ProviderConnector c = connector("diamondpay-id", "payout.callback.base-url", null);
            JsonNode b = body(c.createRequest(payout("diamondpay-id", diamond("500")), NOW));
            assertThat(b.has("notify_url")).isFalse();
            assertNoNullOrEmptyFields(b);
        }
    }

    /** See the md5sum lines beside {@link CreateRequests#indonesiaExactBodyAndSign}. */
    static final String INDONESIA_SIGN = "b0fe75f98ac42cb821e1c8c99cfa9433";
    /** See the md5sum lines beside {@link CreateRequests#diamondPayExactBodyAndSign}. */
    static final String DIAMOND_SIGN = "f500e0390ba9cf34de0d5e82318ea2f4";
    /** printf '%s' 'tradeNo=REF-KE-1secret-ke' | md5sum */
    static final String KENYA_QUERY_SIGN = "b664399a2bbf05d5452c8468c7c49a17";

    // =========================================================================== query requests

    @Nested
    class QueryRequests {

        @Test
        void indonesiaQueryIsTradeNoTimestampSign() throws IOException {
            ProviderRequest r = connector("paypro-id").queryRequest(payout("paypro-id", indonesia("100000", null)), NOW);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.url()).isEqualTo("https://openapi-test.paypro.tech/indonesia-pay/v1/paypro/queryPayOutResult");
            assertThat(r.headers()).containsEntry("merchantNo", "1000000001");
            JsonNode b = body(r);
            assertThat(keys(b)).containsExactly("timestamp", "tradeNo", "sign");
            assertThat(b.get("tradeNo").asText()).isEqualTo("REF-ID-1");
            assertThat(b.get("timestamp").asText()).isEqualTo(String.valueOf(NOW_MS));
            assertThat(PayproSignature.verify(asMap(b), "secret-id", PayproSignature.SaltPosition.APPEND)).isTrue();
        }

        @Test
        void kenyaQueryBodyIsOnlyTradeNoAndSign() {
            ProviderRequest r = connector("paypro-ke").queryRequest(payout("paypro-ke", kenya("500", null)), NOW);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.url()).isEqualTo("https://kenya.example.com/kenya-pay/api/queryPayOutResult");
            assertThat(r.headers()).containsEntry("merchantNo", "1000000002");
            assertThat(r.body()).isEqualTo("{\"tradeNo\":\"REF-KE-1\",\"sign\":\"" + KENYA_QUERY_SIGN + "\"}");
        }

        @Test
        void pakistanQueryPath() throws IOException {
            ProviderRequest r = connector("paypro-pk").queryRequest(payout("paypro-pk", pakistan("1730123456789")), NOW);
            assertThat(r.url()).isEqualTo("https://openapi-test.paypro.tech/pak-pay/v1/payproPK/queryPayOutResult");
            assertThat(keys(body(r))).containsExactly("timestamp", "tradeNo", "sign");
        }

        @Test
        void diamondPaySingleFormIsAGetByPathWithAuthorization() {
            ProviderRequest r = connector("diamondpay-id").queryRequest(payout("diamondpay-id", diamond("500")), NOW);
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.url()).isEqualTo("https://dp.example.com/gateway/api/v2/payouts/DEVPOT00143538");
            assertThat(r.headers()).containsEntry("Authorization", "auth-token-123");
            assertThat(r.headers().values()).doesNotContain("ThisIsYourSecretKey123");
            assertThat(r.body()).isNull();
        }

        @Test
        void diamondPayListFormIsAGetWithTheReferenceAsParameter() {
            ProviderConnector c = connector("diamondpay-id", "payout.provider.diamondpay-id.query-form", "list");
            ProviderRequest r = c.queryRequest(payout("diamondpay-id", diamond("500")), NOW);
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.url()).isEqualTo("https://dp.example.com/gateway/api/v2/payouts?payout_cl_id=DEVPOT00143538");
            assertThat(r.headers()).containsEntry("Authorization", "auth-token-123");
            assertThat(r.body()).isNull();
        }
    }

    // ========================================================================= transport failures

    @Nested
    class TransportFailures {

        @Test
        void failuresToConnectAreNotTaken() {
            assertThat(ProviderCalls.transportFailure(new ConnectException("Connection refused")).outcome()).isEqualTo(Outcome.NOT_TAKEN);
            assertThat(ProviderCalls.transportFailure(new org.apache.hc.client5.http.HttpHostConnectException("Connect to x failed"))
                    .outcome()).isEqualTo(Outcome.NOT_TAKEN);
            assertThat(ProviderCalls.transportFailure(new org.apache.hc.client5.http.ConnectTimeoutException("Connect timed out"))
                    .outcome()).isEqualTo(Outcome.NOT_TAKEN);
            assertThat(ProviderCalls.transportFailure(new UnknownHostException("no.such.host")).outcome()).isEqualTo(Outcome.NOT_TAKEN);
            // wrapped, as Camel may hand it over
            assertThat(ProviderCalls.transportFailure(new RuntimeException("wrapped", new ConnectException("refused"))).outcome())
                    .isEqualTo(Outcome.NOT_TAKEN);
        }

        @Test
        void failuresAfterConnectingAreUnknown() {
            assertThat(ProviderCalls.transportFailure(new SocketTimeoutException("Read timed out")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(ProviderCalls.transportFailure(new org.apache.hc.core5.http.NoHttpResponseException("failed to respond"))
                    .outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(ProviderCalls.transportFailure(new SocketException("Connection reset")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(ProviderCalls.transportFailure(new InterruptedIOException("interrupted")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(ProviderCalls.transportFailure(new IOException("Broken pipe")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(ProviderCalls.transportFailure(new IllegalStateException("something else")).outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(ProviderCalls.transportFailure(new RuntimeException("wrapped", new SocketTimeoutException("Read timed out")))
                    .outcome()).isEqualTo(Outcome.UNKNOWN);
        }
    }
}
