package org.payoutgateway.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.diamondAccepted;
import static org.payoutgateway.support.StandInProviders.diamondError;
import static org.payoutgateway.support.StandInProviders.diamondStatus;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproOuter;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * The money-safety rules of dispatch, proven through the real application (booted with
 * {@link Gateway}) against WireMock stand-ins of the four provider accounts:
 * <ul>
 *   <li>whatever cannot be known after a create call (HTTP 5xx, read timeout, dropped connection,
 *       unreadable body, Paypro outer code 5000) makes the payout UNKNOWN, resolved only by a status
 *       query with the same reference, and the create call is never repeated;</li>
 *   <li>a create the provider refused (Paypro outer 1001, DiamondPay 0004) is FAILED at once and never
 *       queried;</li>
 *   <li>a create that was provably not taken (connection refused, HTTP 429) is sent again later with the
 *       same reference;</li>
 *   <li>an UNKNOWN payout the provider says it does not have, after the grace period, is sent again
 *       with the same reference; time alone never fails it;</li>
 *   <li>a reference is paid once, however often it is delivered; bad rows and unreadable files send
 *       nothing.</li>
 * </ul>
 * Every test uses its own references (prefix {@code DS<n>-}); stubs are keyed by reference.
 */
class DispatchSafetyTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    static final String HEADER = "reference,country,provider,amount,currency,beneficiary_name,account_number,bank_code,"
            + "account_type,mobile,email,id_number,remark\n";

    static StandInProviders providers;
    static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        gateway = Gateway.start("dispatch-safety", providers.settings());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (providers != null) {
            providers.close();
        }
    }

    // ------------------------------------------------------------------------------ rows and files

    static String idRow(String ref) {
        return ref + ",ID,,150000,IDR,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,salary";
    }

    static String keRow(String ref) {
        return ref + ",KE,,1500,KES,,,,,254712345678,,,";
    }

    static String pkRow(String ref) {
        return ref + ",PK,,5000,PKR,Jane Doe,9876543210,ALLIED_BANK_LIMITED,BANK,3115112345,jane@example.com,"
                + "17301-2345678-9,invoice 1001";
    }

    static String dpRow(String ref) {
        return ref + ",ID,diamondpay-id,150000,IDR,test_name,4088748280272397,BCA,,,,,";
    }

    static String csv(String... rows) {
        return HEADER + String.join("\r\n", rows) + "\r\n";
    }

    /** Drops a CSV of the rows under a unique name; returns the name. */
    static String dropCsv(Gateway g, String prefix, String... rows) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + ".csv";
        g.drop(name, csv(rows));
        return name;
    }

    static List<PayoutState> states(Gateway g, String ref) {
        return g.store().history(ref).stream().map(HistoryEntry::to).toList();
    }

    static Optional<HistoryEntry> firstEntryTo(Gateway g, String ref, PayoutState to) {
        return g.store().history(ref).stream().filter(h -> h.to() == to).findFirst();
    }

    static String body(LoggedRequest r, String field) {
        try {
            return JSON.readTree(r.getBodyAsString()).get(field).asText();
        } catch (Exception e) {
            throw new AssertionError("create body is not JSON: " + r.getBodyAsString(), e);
        }
    }

    /** Asserts the payout settled at {@code state} after exactly one create call carrying its reference. */
    static Payout assertResolvedAfterUnknown(String account, String ref, PayoutState state, String unknownBecause) {
        Payout p = gateway.awaitState(ref, state, WAIT);
        assertThat(states(gateway, ref)).as("history of %s", ref)
                .containsExactly(PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.UNKNOWN, state);
        assertThat(firstEntryTo(gateway, ref, PayoutState.UNKNOWN).orElseThrow().message())
                .as("why %s became UNKNOWN", ref).contains(unknownBecause);
        assertThat(p.dispatchCount()).as("dispatches of %s", ref).isEqualTo(1);
        assertThat(providers.queries(account, ref)).as("status queries of %s", ref).isGreaterThanOrEqualTo(1);
        List<LoggedRequest> creates = providers.creates(account, ref);
        assertThat(creates).as("create calls of %s", ref).hasSize(1);
        return p;
    }

    // -------------------------------------------------------------- 1. HTTP 500 after acceptance

    @Test
    void http500OnCreateIsUnknownAndTheQueryResolvesItWithoutASecondCreate() throws Exception {
        providers.create("paypro-id", "DS1-ID", aResponse().withStatus(500).withBody("Internal Server Error"));
        providers.query("paypro-id", "DS1-ID", payproStatus("DS1-ID", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "DS1-DP", aResponse().withStatus(502).withBody("Bad Gateway"));
        providers.query("diamondpay-id", "DS1-DP", diamondStatus("DS1-DP", 3));

        dropCsv(gateway, "http500", idRow("DS1-ID"), dpRow("DS1-DP"));

        Payout id = assertResolvedAfterUnknown("paypro-id", "DS1-ID", PayoutState.SUCCESS, "HTTP 500");
        assertThat(id.providerReference()).isEqualTo("PF-DS1-ID");
        Payout dp = assertResolvedAfterUnknown("diamondpay-id", "DS1-DP", PayoutState.SUCCESS, "HTTP 502");
        assertThat(dp.providerReference()).isEqualTo("POT-DS1-DP");
    }

    // ------------------------------------------------------------------------- 2. read timeout

    @Test
    void readTimeoutOnCreateIsUnknownAndTheQueryResolvesIt() throws Exception {
        // the provider takes the order but answers after the gateway's 2 s response timeout
        providers.create("paypro-ke", "DS2-KE", payproAccepted("DS2-KE").withFixedDelay(5000));
        providers.query("paypro-ke", "DS2-KE", payproStatus("DS2-KE", "0000", "SUCCESS"));

        dropCsv(gateway, "timeout", keRow("DS2-KE"));

        // UNKNOWN comes from the timeout, before the late reply could have arrived
        Payout unknown = gateway.awaitState("DS2-KE", PayoutState.UNKNOWN, Duration.ofSeconds(15));
        assertThat(unknown.message()).contains("no reply after sending");
        assertResolvedAfterUnknown("paypro-ke", "DS2-KE", PayoutState.SUCCESS, "no reply after sending");
    }

    // ---------------------------------------------------------------- 3. connection dropped

    @Test
    void connectionDroppedAfterTheRequestWasWrittenIsUnknownAndResolvedByQuery() throws Exception {
        providers.create("paypro-pk", "DS3-RESET", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        providers.query("paypro-pk", "DS3-RESET", payproStatus("DS3-RESET", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "DS3-EMPTY", aResponse().withFault(Fault.EMPTY_RESPONSE));
        providers.query("diamondpay-id", "DS3-EMPTY", diamondStatus("DS3-EMPTY", 3));

        dropCsv(gateway, "dropped", pkRow("DS3-RESET"), dpRow("DS3-EMPTY"));

        assertResolvedAfterUnknown("paypro-pk", "DS3-RESET", PayoutState.SUCCESS, "no reply after sending");
        assertResolvedAfterUnknown("diamondpay-id", "DS3-EMPTY", PayoutState.SUCCESS, "no reply after sending");
    }

    // ---------------------------------------------------------------- 4. unreadable body

    @Test
    void unreadableCreateReplyIsUnknownAndResolvedByQuery() throws Exception {
        providers.create("paypro-id", "DS4-ID", aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html><body>upstream gateway says hello</body></html>"));
        providers.query("paypro-id", "DS4-ID", payproStatus("DS4-ID", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "DS4-DP", aResponse().withStatus(200).withBody("OK"));
        providers.query("diamondpay-id", "DS4-DP", diamondStatus("DS4-DP", 4));

        // a JSON payout file this time
        gateway.drop("unreadable-" + UUID.randomUUID().toString().substring(0, 8) + ".json", "["
                + "{\"reference\":\"DS4-ID\",\"country\":\"ID\",\"amount\":150000,\"currency\":\"IDR\","
                + "\"beneficiary_name\":\"Budi Santoso\",\"account_number\":\"5464438554636\",\"bank_code\":\"0002\","
                + "\"mobile\":\"081245907765\",\"email\":\"budi@example.com\"},"
                + "{\"reference\":\"DS4-DP\",\"country\":\"ID\",\"provider\":\"diamondpay-id\",\"amount\":\"150000\","
                + "\"currency\":\"IDR\",\"beneficiary_name\":\"test_name\",\"account_number\":\"4088748280272397\","
                + "\"bank_code\":\"BCA\"}]");

        assertResolvedAfterUnknown("paypro-id", "DS4-ID", PayoutState.SUCCESS, "unreadable create reply");
        // the query decides either way: here the provider says cancelled
        Payout dp = assertResolvedAfterUnknown("diamondpay-id", "DS4-DP", PayoutState.FAILED, "unreadable create reply");
        assertThat(dp.providerStatus()).isEqualTo("4");
    }

    // ------------------------------------------------------------ 5. provider codes on create

    @Test
    void payproOuter5000IsUnknownWhileOuter1001AndDiamondPay0004AreFailedAndNeverQueried() throws Exception {
        providers.create("paypro-ke", "DS5-5000", payproOuter("5000", "System operation exception"));
        providers.query("paypro-ke", "DS5-5000", payproStatus("DS5-5000", "00029", "REJECTED_TRANSACTION"));
        providers.create("paypro-id", "DS5-1001", payproOuter("1001", "sign error"));
        // would turn an unknown payout SUCCESS if it were (wrongly) queried
        providers.query("paypro-id", "DS5-1001", payproStatus("DS5-1001", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "DS5-0004", diamondError("0004", "signature failed"));
        providers.query("diamondpay-id", "DS5-0004", diamondStatus("DS5-0004", 3));

        dropCsv(gateway, "codes", keRow("DS5-5000"), idRow("DS5-1001"), dpRow("DS5-0004"));

        Payout unknown = assertResolvedAfterUnknown("paypro-ke", "DS5-5000", PayoutState.FAILED, "System operation exception");
        assertThat(unknown.providerStatus()).isEqualTo("00029");
        assertThat(firstEntryTo(gateway, "DS5-5000", PayoutState.UNKNOWN).orElseThrow().providerCode()).isEqualTo("5000");

        Payout refused = gateway.awaitState("DS5-1001", PayoutState.FAILED, WAIT);
        assertThat(refused.providerStatus()).isEqualTo("1001");
        assertThat(states(gateway, "DS5-1001"))
                .containsExactly(PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.FAILED);
        Payout dp = gateway.awaitState("DS5-0004", PayoutState.FAILED, WAIT);
        assertThat(dp.providerStatus()).isEqualTo("0004");
        assertThat(states(gateway, "DS5-0004"))
                .containsExactly(PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.FAILED);

        // several query runs (every second) have passed since the 5000 payout was queried: none of
        // them asked about the refused payouts
        Thread.sleep(2500);
        assertThat(providers.queries("paypro-id", "DS5-1001")).as("queries of a refused create").isZero();
        assertThat(providers.queries("diamondpay-id", "DS5-0004")).as("queries of a refused create").isZero();
        assertThat(gateway.payout("DS5-1001").state()).isEqualTo(PayoutState.FAILED);
        assertThat(providers.creates("paypro-id", "DS5-1001")).hasSize(1);
        assertThat(providers.creates("diamondpay-id", "DS5-0004")).hasSize(1);
    }

    // --------------------------------------------------------------- 6. not taken: sent again

    @Test
    void connectionRefusedIsNotTakenAndSentAgainWithTheSameReferenceOnceTheProviderListens() throws Exception {
        int port = Gateway.freePort();
        Map<String, String> settings = new HashMap<>(providers.settings());
        settings.put("payout.provider.paypro-ke.base-url", "http://localhost:" + port + "/kenya-pay");
        // two gateways run at once in this JVM: give this one its own Camel (and so Quartz scheduler) name
        settings.put("camel.main.name", "payout-gateway-refused");
        WireMockServer late = null;
        try (Gateway g = Gateway.start("dispatch-refused", settings)) {
            dropCsv(g, "refused", keRow("DS6-KE"));

            // tried, refused, put back to RECEIVED, and tried again later
            Gateway.await(() -> g.store().find("DS6-KE").map(p -> p.dispatchCount() >= 2).orElse(false), WAIT,
                    () -> "never tried again: " + g.store().history("DS6-KE"));
            List<HistoryEntry> history = g.store().history("DS6-KE");
            HistoryEntry back = history.stream()
                    .filter(h -> h.from() == PayoutState.SENDING && h.to() == PayoutState.RECEIVED).findFirst()
                    .orElseThrow(() -> new AssertionError("no SENDING -> RECEIVED in " + history));
            assertThat(back.message()).contains("not sent");
            assertThat(history).extracting(HistoryEntry::to)
                    .doesNotContain(PayoutState.UNKNOWN, PayoutState.FAILED, PayoutState.SUBMITTED);

            // the provider comes up on that port
            late = new WireMockServer(wireMockConfig().port(port));
            late.start();
            late.stubFor(post(urlEqualTo("/kenya-pay/api/payout"))
                    .withRequestBody(matchingJsonPath("$.tradeNo", equalTo("DS6-KE"))).willReturn(payproAccepted("DS6-KE")));
            late.stubFor(post(urlEqualTo("/kenya-pay/api/queryPayOutResult"))
                    .withRequestBody(matchingJsonPath("$.tradeNo", equalTo("DS6-KE")))
                    .willReturn(payproStatus("DS6-KE", "0000", "SUCCESS")));

            Payout p = g.awaitState("DS6-KE", PayoutState.SUCCESS, WAIT);
            List<LoggedRequest> creates = late.findAll(postRequestedFor(urlEqualTo("/kenya-pay/api/payout")));
            assertThat(creates).as("creates at the provider once it listened").hasSize(1);
            assertThat(body(creates.get(0), "tradeNo")).isEqualTo("DS6-KE");
            assertThat(p.resend()).as("a not-taken retry is not a not-found resend").isFalse();
            assertThat(states(g, "DS6-KE")).doesNotContain(PayoutState.UNKNOWN, PayoutState.FAILED)
                    .endsWith(PayoutState.SENDING, PayoutState.SUBMITTED, PayoutState.SUCCESS);
            assertThat(providers.creates("paypro-ke", "DS6-KE")).as("nothing went to the shared stand-in").isEmpty();
        } finally {
            if (late != null) {
                late.stop();
            }
        }
    }

    @Test
    void http429IsNotTakenAndSentAgainWithTheSameReference() throws Exception {
        String path = "/indonesia-pay/v1/paypro/payOut";
        providers.server.stubFor(post(urlEqualTo(path)).withRequestBody(matchingJsonPath("$.tradeNo", equalTo("DS6-429")))
                .inScenario("429-DS6-429").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withBody("Too Many Requests")).willSetStateTo("calm"));
        providers.server.stubFor(post(urlEqualTo(path)).withRequestBody(matchingJsonPath("$.tradeNo", equalTo("DS6-429")))
                .inScenario("429-DS6-429").whenScenarioStateIs("calm")
                .willReturn(payproAccepted("DS6-429")));
        providers.query("paypro-id", "DS6-429", payproStatus("DS6-429", "0000", "SUCCESS"));

        dropCsv(gateway, "throttled", idRow("DS6-429"));

        Payout p = gateway.awaitState("DS6-429", PayoutState.SUCCESS, WAIT);
        assertThat(states(gateway, "DS6-429")).containsExactly(PayoutState.RECEIVED, PayoutState.SENDING,
                PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.SUBMITTED, PayoutState.SUCCESS);
        assertThat(gateway.store().history("DS6-429").get(2).message()).contains("429");
        assertThat(p.dispatchCount()).isEqualTo(2);

        List<LoggedRequest> creates = providers.creates("paypro-id", "DS6-429");
        assertThat(creates).hasSize(2);
        assertThat(creates).extracting(r -> body(r, "tradeNo")).containsOnly("DS6-429");
        List<Integer> served = providers.server.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(path) && e.getRequest().getBodyAsString().contains("\"DS6-429\""))
                .map(ServeEvent::getResponseDefinition).map(d -> d.getStatus()).toList();
        assertThat(served).as("create replies served").containsExactlyInAnyOrder(429, 200);
    }

    // ------------------------------------------------ 7. not found after grace: sent again, same id

    @Test
    void unknownPayoutNotFoundAfterTheGraceIsSentAgainUnderTheSameReference() throws Exception {
        String ref = "DS7-DP";
        String scenario = "not-found-" + ref;
        String create = "/dp/gateway/api/v2/payouts";
        providers.server.stubFor(post(urlEqualTo(create)).withRequestBody(matchingJsonPath("$.payout_cl_id", equalTo(ref)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("oops")).willSetStateTo("lost"));
        providers.server.stubFor(post(urlEqualTo(create)).withRequestBody(matchingJsonPath("$.payout_cl_id", equalTo(ref)))
                .inScenario(scenario).whenScenarioStateIs("lost")
                .willReturn(diamondAccepted(ref)).willSetStateTo("placed"));
        providers.server.stubFor(get(urlPathEqualTo(create + "/" + ref))
                .inScenario(scenario).whenScenarioStateIs("lost")
                .willReturn(diamondError("0050", "order not found")));
        providers.server.stubFor(get(urlPathEqualTo(create + "/" + ref))
                .inScenario(scenario).whenScenarioStateIs("placed")
                .willReturn(diamondStatus(ref, 3)));

        dropCsv(gateway, "notfound", dpRow(ref));

        Payout p = gateway.awaitState(ref, PayoutState.SUCCESS, WAIT);
        assertThat(p.resend()).as("resend flag").isTrue();
        assertThat(p.dispatchCount()).isEqualTo(2);
        assertThat(states(gateway, ref)).containsExactly(PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.UNKNOWN,
                PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.SUBMITTED, PayoutState.SUCCESS);
        HistoryEntry resent = gateway.store().history(ref).get(3);
        assertThat(resent.from()).isEqualTo(PayoutState.UNKNOWN);
        assertThat(resent.providerCode()).isEqualTo("0050");
        // not before the grace (1 s) had passed since the payout became UNKNOWN
        Duration waited = Duration.between(gateway.store().history(ref).get(2).at(), resent.at());
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofSeconds(1));

        List<LoggedRequest> creates = providers.creates("diamondpay-id", ref);
        assertThat(creates).hasSize(2);
        assertThat(creates).extracting(r -> body(r, "payout_cl_id")).containsExactly(ref, ref);
        assertThat(creates).extracting(r -> body(r, "amount")).containsExactly("15000000", "15000000");
    }

    // ------------------------------------------------------- 8. time alone never fails a payout

    @Test
    void unknownPayoutIsNeverFailedByTimeAloneOnlyFlaggedForAttention() throws Exception {
        Map<String, String> settings = new HashMap<>(providers.settings());
        settings.put("payout.provider.diamondpay-id.query-schedule", "200ms,200ms");
        settings.put("payout.provider.paypro-pk.query-schedule", "200ms,200ms");
        settings.put("camel.main.name", "payout-gateway-attention");
        providers.create("diamondpay-id", "DS8-DP", aResponse().withStatus(500));
        providers.query("diamondpay-id", "DS8-DP", aResponse().withStatus(503).withBody("Service Unavailable"));
        providers.create("paypro-pk", "DS8-PK", aResponse().withStatus(500));
        providers.query("paypro-pk", "DS8-PK", payproOuter("5000", "System operation exception"));

        try (Gateway g = Gateway.start("dispatch-attention", settings)) {
            dropCsv(g, "attention", dpRow("DS8-DP"), pkRow("DS8-PK"));

            for (String[] r : new String[][] {{"diamondpay-id", "DS8-DP"}, {"paypro-pk", "DS8-PK"}}) {
                String account = r[0];
                String ref = r[1];
                Gateway.await(() -> g.store().find(ref).map(Payout::needsAttention).orElse(false), WAIT,
                        () -> ref + " never flagged for attention: " + g.store().history(ref));
                Payout p = g.payout(ref);
                assertThat(p.state()).as(ref).isEqualTo(PayoutState.UNKNOWN);
                assertThat(p.queryCount()).as(ref).isGreaterThanOrEqualTo(2);
                assertThat(g.store().history(ref)).as(ref).extracting(HistoryEntry::to)
                        .doesNotContain(PayoutState.FAILED, PayoutState.SUCCESS);
                assertThat(g.store().history(ref)).as(ref + ": never put back for sending")
                        .noneMatch(h -> h.from() != null && h.to() == PayoutState.RECEIVED);
                assertThat(g.store().history(ref)).as(ref)
                        .anyMatch(h -> h.message() != null && h.message().startsWith("needs attention"));
                int queriesSoFar = providers.queries(account, ref);

                // queries go on; the payout stays UNKNOWN and is never sent again
                Gateway.await(() -> providers.queries(account, ref) >= queriesSoFar + 2, Duration.ofSeconds(10),
                        () -> ref + ": queries stopped after attention");
                assertThat(g.payout(ref).state()).as(ref).isEqualTo(PayoutState.UNKNOWN);
                assertThat(g.store().history(ref)).as(ref).extracting(HistoryEntry::to).doesNotContain(PayoutState.FAILED);
                assertThat(providers.creates(account, ref)).as(ref).hasSize(1);
            }
        }
    }

    // ------------------------------------------------------------- 9. a reference is paid once

    @Test
    void reDroppedFileAndReusedReferencePayNobodyTwice() throws Exception {
        for (String ref : List.of("DS9-ID", "DS9-NEW-ID")) {
            providers.create("paypro-id", ref, payproAccepted(ref));
            providers.query("paypro-id", ref, payproStatus(ref, "0000", "SUCCESS"));
        }
        providers.create("paypro-ke", "DS9-KE", payproAccepted("DS9-KE"));
        providers.query("paypro-ke", "DS9-KE", payproStatus("DS9-KE", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "DS9-DP", diamondAccepted("DS9-DP"));
        providers.query("diamondpay-id", "DS9-DP", diamondStatus("DS9-DP", 3));
        providers.create("paypro-pk", "DS9-NEW-PK", payproAccepted("DS9-NEW-PK"));
        providers.query("paypro-pk", "DS9-NEW-PK", payproStatus("DS9-NEW-PK", "0000", "SUCCESS"));

        String name = "redrop-" + UUID.randomUUID().toString().substring(0, 8) + ".csv";
        String content = csv(idRow("DS9-ID"), keRow("DS9-KE"), dpRow("DS9-DP"));
        gateway.drop(name, content);
        Path first = gateway.resultOf(name);
        Gateway.await(() -> Files.exists(first), WAIT, "no result for the first delivery of " + name);
        String firstResult = Files.readString(first);
        Map<String, CSVRecord> rows = readResult(first);
        assertThat(rows.keySet()).containsExactly("DS9-ID", "DS9-KE", "DS9-DP");
        assertThat(rows.values()).extracting(r -> r.get("status")).containsOnly("SUCCESS");

        // the very same file again
        gateway.drop(name, content);
        Gateway.await(() -> secondResult(name).isPresent(), WAIT, "no result for the second delivery of " + name);
        Path second = secondResult(name).orElseThrow();
        assertThat(second.getFileName().toString()).matches(java.util.regex.Pattern.quote(name) + "\\.\\d+\\.result\\.csv");
        Map<String, CSVRecord> again = readResult(second);
        assertThat(again.keySet()).containsExactly("DS9-ID", "DS9-KE", "DS9-DP");
        for (CSVRecord r : again.values()) {
            assertThat(r.get("status")).as(r.get("reference")).isEqualTo("DUPLICATE");
            assertThat(r.get("message")).as(r.get("reference")).contains("reference already received");
        }
        assertThat(Files.readString(first)).as("the first result is kept").isEqualTo(firstResult);

        // another file that reuses one taken reference (with another amount)
        String other = dropCsv(gateway, "reuse", idRow("DS9-NEW-ID"), "DS9-KE,KE,,2000,KES,,,,,254712345678,,,",
                pkRow("DS9-NEW-PK"));
        Path otherResult = gateway.resultOf(other);
        Gateway.await(() -> Files.exists(otherResult), WAIT, "no result for " + other);
        Map<String, CSVRecord> mixed = readResult(otherResult);
        assertThat(mixed.keySet()).containsExactly("DS9-NEW-ID", "DS9-KE", "DS9-NEW-PK");
        assertThat(mixed.get("DS9-NEW-ID").get("status")).isEqualTo("SUCCESS");
        assertThat(mixed.get("DS9-KE").get("status")).isEqualTo("DUPLICATE");
        assertThat(mixed.get("DS9-NEW-PK").get("status")).isEqualTo("SUCCESS");
        assertThat(gateway.payout("DS9-KE").instruction().amount()).as("the stored payout is unchanged").isEqualTo("1500");

        for (String[] r : new String[][] {{"paypro-id", "DS9-ID"}, {"paypro-ke", "DS9-KE"}, {"diamondpay-id", "DS9-DP"},
                {"paypro-id", "DS9-NEW-ID"}, {"paypro-pk", "DS9-NEW-PK"}}) {
            assertThat(providers.creates(r[0], r[1])).as("create calls of " + r[1]).hasSize(1);
            assertThat(gateway.payout(r[1]).dispatchCount()).as("dispatches of " + r[1]).isEqualTo(1);
        }
    }

    static Optional<Path> secondResult(String name) {
        try (Stream<Path> files = Files.list(gateway.outbox)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(name + ".") && n.endsWith(".result.csv") && !n.equals(name + ".result.csv");
            }).findFirst();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------- 10. bad rows and unreadable files

    @Test
    void badRowsAreRejectedWithReasonsAndNeverSentWhileGoodRowsArePaid() throws Exception {
        providers.create("paypro-id", "DS10-OK-ID", payproAccepted("DS10-OK-ID"));
        providers.query("paypro-id", "DS10-OK-ID", payproStatus("DS10-OK-ID", "0000", "SUCCESS"));
        providers.create("diamondpay-id", "DS10-OK-DP", diamondAccepted("DS10-OK-DP"));
        providers.query("diamondpay-id", "DS10-OK-DP", diamondStatus("DS10-OK-DP", 3));

        String name = dropCsv(gateway, "badrows",
                idRow("DS10-OK-ID"),
                ",ID,,150000,IDR,Nobody Noref,5464438554636,0002,,081245907765,noref@example.com,,salary",
                "DS10-EXP,ID,,1e9,IDR,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,salary",
                "DS10-NEG,KE,,-5,KES,,,,,254712345678,,,",
                "DS10-NAN,KE,,NaN,KES,,,,,254712345678,,,",
                "DS10-CUR,ID,,150000,USD,Budi Santoso,5464438554636,0002,,081245907765,budi@example.com,,salary",
                "DS10-LONG,ID,diamondpay-id,150000,IDR,Bartholomew Santoso,4088748280272397,BCA,,,,,",
                "DS10-NOCNIC,PK,,5000,PKR,Jane Doe,9876543210,ALLIED_BANK_LIMITED,BANK,3115112345,jane@example.com,,invoice",
                dpRow("DS10-OK-DP"));

        Path result = gateway.resultOf(name);
        Gateway.await(() -> Files.exists(result), WAIT, "no result for " + name);
        Map<String, CSVRecord> rows = readResult(result);
        assertThat(rows.keySet()).containsExactly("DS10-OK-ID", "", "DS10-EXP", "DS10-NEG", "DS10-NAN", "DS10-CUR",
                "DS10-LONG", "DS10-NOCNIC", "DS10-OK-DP");
        assertThat(rows.get("DS10-OK-ID").get("status")).isEqualTo("SUCCESS");
        assertThat(rows.get("DS10-OK-DP").get("status")).isEqualTo("SUCCESS");

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("", "reference: is required");
        expected.put("DS10-EXP", "amount: must be a plain decimal number");
        expected.put("DS10-NEG", "amount: must be");
        expected.put("DS10-NAN", "amount: must be a plain decimal number");
        expected.put("DS10-CUR", "currency: must be IDR");
        expected.put("DS10-LONG", "beneficiary_name: must be at most 16 characters");
        expected.put("DS10-NOCNIC", "id_number: is required");
        expected.forEach((ref, reason) -> {
            assertThat(rows.get(ref).get("status")).as("status of row '%s'", ref).isEqualTo("REJECTED");
            assertThat(rows.get(ref).get("message")).as("message of row '%s'", ref).contains(reason);
        });

        // nothing was sent for any rejected row
        Map<String, String> accountOf = Map.of("DS10-EXP", "paypro-id", "DS10-NEG", "paypro-ke", "DS10-NAN", "paypro-ke",
                "DS10-CUR", "paypro-id", "DS10-LONG", "diamondpay-id", "DS10-NOCNIC", "paypro-pk");
        accountOf.forEach((ref, account) -> {
            assertThat(providers.creates(account, ref)).as("creates of " + ref).isEmpty();
            Payout p = gateway.payout(ref);
            assertThat(p.state()).as(ref).isEqualTo(PayoutState.REJECTED);
            assertThat(p.dispatchCount()).as(ref).isZero();
        });
        assertThat(providers.server.findAll(postRequestedFor(urlEqualTo("/indonesia-pay/v1/paypro/payOut"))
                .withRequestBody(containing("Nobody Noref")))).as("creates of the row without reference").isEmpty();
        assertThat(providers.creates("paypro-id", "DS10-OK-ID")).hasSize(1);
        assertThat(providers.creates("diamondpay-id", "DS10-OK-DP")).hasSize(1);
    }

    @Test
    void unreadableFilesGoToTheErrorFolderWithTheReasonAndNothingIsStored() throws Exception {
        providers.create("paypro-id", "DS10-NOCOL", payproAccepted("DS10-NOCOL"));
        providers.create("paypro-id", "DS10-UTF8", payproAccepted("DS10-UTF8"));
        String tag = UUID.randomUUID().toString().substring(0, 8);

        // a header without the reference column (it is called "ref" here)
        String noColumn = "nocolumn-" + tag + ".csv";
        gateway.drop(noColumn, HEADER.replaceFirst("^reference,", "ref,") + idRow("DS10-NOCOL") + "\n");

        // invalid UTF-8 inside a data row (a lone 0xC3 continuation-less byte)
        String badUtf8 = "badutf8-" + tag + ".csv";
        byte[] head = (HEADER + idRow("DS10-UTF8").replace("Budi Santoso", "Budi S")).getBytes(StandardCharsets.UTF_8);
        int at = HEADER.length() + "DS10-UTF8,ID,,150000,IDR,Budi S".length();
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, at);
        bytes[at] = (byte) 0xC3;
        bytes[at + 1] = (byte) 0x28;
        System.arraycopy(head, at, bytes, at + 2, head.length - at);
        Files.createDirectories(gateway.inbox);
        Path tmp = gateway.inbox.resolve("." + badUtf8 + ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, gateway.inbox.resolve(badUtf8));

        // a .json file that is not JSON
        String notJson = "notjson-" + tag + ".json";
        gateway.drop(notJson, "reference;amount\nDS10-NOTJSON;100\n");

        Map<String, String> reasons = Map.of(
                noColumn, "lacks the column(s) reference",
                badUtf8, "not valid UTF-8",
                notJson, "not a JSON array or JSON Lines file");
        reasons.forEach((file, reason) -> {
            Path note = gateway.errors.resolve(file + ".error.txt");
            Gateway.await(() -> Files.exists(note), WAIT, "no error note for " + file);
            String base = file.substring(0, file.lastIndexOf('.'));
            String ext = file.substring(file.lastIndexOf('.'));
            Gateway.await(() -> listNames(gateway.errors).stream().anyMatch(n -> n.startsWith(base + "-") && n.endsWith(ext)),
                    WAIT, file + " was not moved to the error folder: " + listNames(gateway.errors));
            try {
                assertThat(Files.readString(note)).as(file).contains(file).contains(reason);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(gateway.inbox.resolve(file)).as(file + " left in the inbox").doesNotExist();
            assertThat(gateway.resultOf(file)).as("result of " + file).doesNotExist();
        });
        for (String ref : List.of("DS10-NOCOL", "DS10-UTF8", "DS10-NOTJSON")) {
            assertThat(gateway.store().find(ref)).as("stored " + ref).isEmpty();
        }
        assertThat(providers.creates("paypro-id", "DS10-NOCOL")).isEmpty();
        assertThat(providers.creates("paypro-id", "DS10-UTF8")).isEmpty();
    }

    static List<String> listNames(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, CSVRecord> readResult(Path result) throws Exception {
        Map<String, CSVRecord> rows = new LinkedHashMap<>();
        try (Reader r = Files.newBufferedReader(result)) {
            for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                rows.put(rec.get("reference"), rec);
            }
        }
        return rows;
    }
}
