package org.payoutgateway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.Gateway;

/**
 * The shipped configuration, sandbox on, as a new user runs it: the example files dropped into the
 * inbox give result files with SUCCESS, FAILED and REJECTED rows within a minute. Only the folders,
 * the store and the HTTP port are the test's own; schedules are the shipped ones.
 */
class ExamplesOutOfTheBoxTest {

    static final List<String> EXAMPLES = List.of("payouts-indonesia.csv", "payouts-kenya.json",
            "payouts-pakistan.csv", "payouts-diamondpay.json", "payouts-indonesia.pain.001.xml", "payouts-kenya.pain.001.xml");

    @Test
    void exampleFilesComeBackWithResultsWithinAMinute() throws Exception {
        Map<String, String> shipped = new LinkedHashMap<>();
        shipped.put("payout.sandbox.enabled", "true");
        shipped.put("payout.query.cron", "0/5 * * * * ?");
        shipped.put("payout.dispatch.poll-interval-ms", "500");
        shipped.put("payout.intake.file.poll-interval-ms", "1000");
        shipped.put("payout.intake.file.result-interval-ms", "2000");
        for (String account : List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id")) {
            shipped.put("payout.provider." + account + ".query-schedule", "5s,10s,30s,1m,5m,30m,2h,6h");
        }
        shipped.remove("payout.callback.base-url");
        try (Gateway gateway = Gateway.start("examples", shipped)) {
            long start = System.nanoTime();
            for (String name : EXAMPLES) {
                gateway.drop(name, Files.readString(Path.of("examples", name)));
            }
            Gateway.await(() -> EXAMPLES.stream().allMatch(n -> Files.exists(gateway.resultOf(n))),
                    Duration.ofSeconds(60), "not every example came back within a minute");
            System.out.printf("examples settled in %d ms%n", (System.nanoTime() - start) / 1_000_000);

            Map<String, String> status = new LinkedHashMap<>();
            for (String name : EXAMPLES) {
                try (Reader r = Files.newBufferedReader(gateway.resultOf(name))) {
                    for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                        status.put(rec.get("reference"), rec.get("status") + " " + rec.get("message"));
                    }
                }
            }
            assertThat(status).hasSize(24);
            for (String country : List.of("ID", "KE", "PK", "DP", "ISO-ID", "ISO-KE")) {
                assertThat(status.get("EX-" + country + "-0001")).startsWith("SUCCESS");
                assertThat(status.get("EX-" + country + "-0002")).startsWith("SUCCESS");
                assertThat(status.get("EX-" + country + "-0003")).startsWith("FAILED");
                assertThat(status.get("EX-" + country + "-0004")).startsWith("REJECTED");
            }
            assertThat(status.get("EX-ID-0004")).contains("mobile: must be an Indonesian mobile number");
            assertThat(status.get("EX-KE-0004")).contains("amount: must be a whole number of KES");
            assertThat(status.get("EX-PK-0004")).contains("id_number: is required");
            assertThat(status.get("EX-DP-0004")).contains("beneficiary_name: must be at most 16 characters");
            assertThat(status.get("EX-ISO-ID-0004")).contains("account_number (CdtTrfTxInf[4]/CdtrAcct/Id): is required");
            assertThat(status.get("EX-ISO-KE-0004")).contains("amount (CdtTrfTxInf[4]/Amt/InstdAmt): must be a whole number of KES");
            for (String iso : List.of("payouts-indonesia.pain.001.xml", "payouts-kenya.pain.001.xml")) {
                assertThat(gateway.outbox.resolve(iso + ".pain.002.xml")).as(iso + " pain.002").exists();
            }
        }
    }
}
