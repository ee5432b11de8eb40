package org.payoutgateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.diamondAccepted;
import static org.payoutgateway.support.StandInProviders.diamondStatus;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproOuter;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.diamondpay.DiamondPaySignature;
import org.payoutgateway.provider.paypro.PayproSignature;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/** A payout file through the real application to stand-in providers of all four accounts and back. */
class FilePayoutFlowTest {

    static StandInProviders providers;
    static Gateway gateway;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        gateway = Gateway.start("file-flow", providers.settings());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        providers.close();
    }

    static final String HEADER = "reference,country,provider,amount,currency,beneficiary_name,account_number,bank_code,"
            + "account_type,mobile,email,id_number,remark\n";

    @Test
    void fileToAllFourAccountsAndBackWithRejectedRows() throws Exception {
        providers.create("paypro-id", "F1-ID", payproAccepted("F1-ID"));
        providers.query("paypro-id", "F1-ID", payproStatus("F1-ID", "0000", "SUCCESS"));
        providers.create("paypro-ke", "F1-KE", payproAccepted("F1-KE"));
        providers.query("paypro-ke", "F1-KE", payproStatus("F1-KE", "00029", "REJECTED_TRANSACTION"));
        providers.create("paypro-pk", "F1-PK", payproAccepted("F1-PK"));
        providers.query("paypro-pk", "F1-PK", payproStatus("F1-PK", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "F1-DP", diamondAccepted("F1-DP"));
        providers.query("diamondpay-id", "F1-DP", diamondStatus("F1-DP", 3));
        providers.create("paypro-id", "F1-NOTPLACED", payproOuter("1001", "sign error"));

        String csv = "\uFEFF" + HEADER
                + "F1-ID,ID,,150000,IDR,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,salary\r\n"
                + "F1-KE,KE,,1500,KES,,,,,254712345678,,,\r\n"
                + "F1-PK,PK,,5000,PKR,Jane Doe,9876543210,ALLIED_BANK_LIMITED,BANK,3115112345,jane@example.com,17301-2345678-9,\"invoice #1001, paid\"\r\n"
                + "F1-DP,ID,diamondpay-id,150000.50,IDR,test_name,4088748280272397,BCA,,,,,\r\n"
                + "F1-BAD,KE,,10.5,KES,,,,,0712345678,,,\r\n"
                + "F1-NOTPLACED,ID,,20000,IDR,Ani,123456,0002,,6281245907765,ani@example.com,,\r\n";
        gateway.drop("payouts.csv", csv);

        Path result = gateway.resultOf("payouts.csv");
        Gateway.await(() -> Files.exists(result), Duration.ofSeconds(30), "no result file");
        Map<String, CSVRecord> rows = readResult(result);
        assertThat(rows.keySet()).containsExactly("F1-ID", "F1-KE", "F1-PK", "F1-DP", "F1-BAD", "F1-NOTPLACED");
        assertThat(rows.get("F1-ID").get("status")).isEqualTo("SUCCESS");
        assertThat(rows.get("F1-ID").get("provider")).isEqualTo("paypro-id");
        assertThat(rows.get("F1-ID").get("provider_reference")).isEqualTo("PF-F1-ID");
        assertThat(rows.get("F1-KE").get("status")).isEqualTo("FAILED");
        assertThat(rows.get("F1-KE").get("provider_status")).isEqualTo("00029");
        assertThat(rows.get("F1-PK").get("status")).isEqualTo("SUCCESS");
        assertThat(rows.get("F1-DP").get("status")).isEqualTo("SUCCESS");
        assertThat(rows.get("F1-DP").get("provider_reference")).isEqualTo("POT-F1-DP");
        assertThat(rows.get("F1-BAD").get("status")).isEqualTo("REJECTED");
        assertThat(rows.get("F1-BAD").get("message"))
                .contains("amount: must be a whole number of KES")
                .contains("mobile: must be a Kenyan mobile number");
        assertThat(rows.get("F1-NOTPLACED").get("status")).isEqualTo("FAILED");
        assertThat(rows.get("F1-NOTPLACED").get("provider_status")).isEqualTo("1001");

        // exactly one create call per reference, and none for the rejected row
        for (String[] r : new String[][] {{"paypro-id", "F1-ID"}, {"paypro-ke", "F1-KE"}, {"paypro-pk", "F1-PK"},
                {"diamondpay-id", "F1-DP"}, {"paypro-id", "F1-NOTPLACED"}}) {
            assertThat(providers.creates(r[0], r[1])).as(r[1]).hasSize(1);
        }
        assertThat(providers.creates("paypro-ke", "F1-BAD")).isEmpty();

        // the original file is kept in the archive, unchanged
        try (var archived = Files.list(gateway.archive)) {
            List<Path> files = archived.filter(f -> f.getFileName().toString().startsWith("payouts-")).toList();
            assertThat(files).hasSize(1);
            assertThat(Files.readString(files.get(0))).isEqualTo(csv);
        }
        // the story of a payout is kept
        assertThat(gateway.store().history("F1-ID")).extracting(h -> h.to())
                .containsExactly(PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.SUBMITTED, PayoutState.SUCCESS);
    }

    @Test
    void requestsAreExactlyAsTheProviderDocumentsSay() throws Exception {
        providers.create("paypro-id", "F2-ID", payproAccepted("F2-ID"));
        providers.create("paypro-ke", "F2-KE", payproAccepted("F2-KE"));
        providers.create("paypro-pk", "F2-PK", payproAccepted("F2-PK"));
        providers.create("diamondpay-id", "F2-DP", diamondAccepted("F2-DP"));
        gateway.drop("shapes.json", "["
                + "{\"reference\":\"F2-ID\",\"country\":\"ID\",\"amount\":100000,\"currency\":\"IDR\",\"beneficiary_name\":\"kevin\","
                + "\"account_number\":\"5464438554636\",\"bank_code\":\"0002\",\"mobile\":\"6281245907765\",\"email\":\"k@example.com\",\"remark\":\"remark\"},"
                + "{\"reference\":\"F2-KE\",\"country\":\"KE\",\"amount\":\"50\",\"currency\":\"KES\",\"mobile\":\"254115555088\"},"
                + "{\"reference\":\"F2-PK\",\"country\":\"PK\",\"amount\":\"5000\",\"currency\":\"PKR\",\"beneficiary_name\":\"Jane Doe\","
                + "\"account_number\":\"9876543210\",\"bank_code\":\"ALLIED_BANK_LIMITED\",\"account_type\":\"BANK\",\"mobile\":\"3115112345\","
                + "\"email\":\"jane@example.com\",\"id_number\":\"1730123456789\",\"remark\":\"Payment for invoice #1001\"},"
                + "{\"reference\":\"F2-DP\",\"country\":\"ID\",\"provider\":\"diamondpay-id\",\"amount\":\"500\",\"currency\":\"IDR\","
                + "\"beneficiary_name\":\"test_name\",\"account_number\":\"4088748280272397\",\"bank_code\":\"BCA\"}]");
        for (String ref : List.of("F2-ID", "F2-KE", "F2-PK", "F2-DP")) {
            gateway.awaitState(ref, PayoutState.SUBMITTED, Duration.ofSeconds(20));
        }

        var id = providers.creates("paypro-id", "F2-ID").get(0);
        assertThat(id.getHeader("merchantNo")).isEqualTo("1000000011");
        JsonNode idBody = JSON.readTree(id.getBodyAsString());
        assertThat(idBody.get("amount").isIntegralNumber()).isTrue();
        assertThat(idBody.get("amount").asLong()).isEqualTo(100000);
        assertThat(idBody.get("timestamp").isIntegralNumber()).isTrue();
        assertThat(idBody.get("customerName").asText()).isEqualTo("kevin");
        assertThat(idBody.get("bankAccountNo").asText()).isEqualTo("5464438554636");
        assertThat(idBody.get("notifyUrl").asText()).isEqualTo("http://localhost:" + gateway.httpPort + "/notify/paypro-id");
        assertThat(PayproSignature.verify(fields(idBody), StandInProviders.SECRET_ID, PayproSignature.SaltPosition.APPEND)).isTrue();

        JsonNode ke = JSON.readTree(providers.creates("paypro-ke", "F2-KE").get(0).getBodyAsString());
        assertThat(ke.get("amount").isTextual()).isTrue();
        assertThat(ke.get("amount").asText()).isEqualTo("50");
        assertThat(ke.has("remark")).isFalse();
        assertThat(PayproSignature.verify(fields(ke), StandInProviders.SECRET_KE, PayproSignature.SaltPosition.APPEND)).isTrue();

        JsonNode pk = JSON.readTree(providers.creates("paypro-pk", "F2-PK").get(0).getBodyAsString());
        assertThat(pk.get("amount").isTextual()).isTrue();
        assertThat(pk.get("timestamp").isTextual()).isTrue();
        assertThat(pk.get("customerCert").asText()).isEqualTo("1730123456789");
        assertThat(pk.get("name").asText()).isEqualTo("Jane Doe");
        assertThat(pk.get("bankName").asText()).isEqualTo("ALLIED_BANK_LIMITED");
        assertThat(PayproSignature.verify(fields(pk), StandInProviders.SECRET_PK, PayproSignature.SaltPosition.APPEND)).isTrue();

        JsonNode dp = JSON.readTree(providers.creates("diamondpay-id", "F2-DP").get(0).getBodyAsString());
        assertThat(dp.get("amount").asLong()).as("cents").isEqualTo(50000);
        assertThat(dp.get("currency").asText()).isEqualTo("idr");
        assertThat(dp.get("service_id").asText()).isEqualTo("SVC0004");
        assertThat(dp.get("platform_id").asText()).isEqualTo("PF0002");
        long requestTime = dp.get("request_time").asLong();
        assertThat(requestTime).as("unix seconds").isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 5);
        assertThat(DiamondPaySignature.verify(fields(dp), StandInProviders.DP_KEY, DiamondPaySignature.SignType.MD5)).isTrue();
    }

    static Map<String, Object> fields(JsonNode body) {
        Map<String, Object> m = new TreeMap<>();
        body.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static Map<String, CSVRecord> readResult(Path result) throws Exception {
        Map<String, CSVRecord> rows = new java.util.LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(result)) {
            for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                rows.put(rec.get("reference"), rec);
            }
        }
        return rows;
    }
}
