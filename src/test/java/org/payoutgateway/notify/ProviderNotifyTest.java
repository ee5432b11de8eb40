package org.payoutgateway.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.diamondAccepted;
import static org.payoutgateway.support.StandInProviders.diamondStatus;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.diamondpay.DiamondPaySignature;
import org.payoutgateway.provider.paypro.PayproSignature;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * Provider notifies POSTed to {@code /notify/<account>} as the providers send them. Payouts are made
 * SUBMITTED through a payout file first; scheduled queries are an hour away, so any query the stand-in
 * sees was triggered by a notify.
 */
class ProviderNotifyTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static StandInProviders providers;
    static Gateway gateway;
    static HttpClient http;
    static final Captured LOG = new Captured();

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        for (String account : StandInProviders.APIS.keySet()) {
            s.put("payout.provider." + account + ".query-schedule", "1h");
        }
        // Pakistan: a long schedule of several steps, to see what notifies do to it
        s.put("payout.provider.paypro-pk.query-schedule", "1h,2h,6h");
        gateway = Gateway.start("notify", s);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        LOG.install();
    }

    @AfterAll
    static void stop() {
        LOG.uninstall();
        if (gateway != null) {
            gateway.close();
        }
        if (providers != null) {
            providers.close();
        }
    }

    // ------------------------------------------------------------------------------------ genuine

    @Test
    void genuinePayproNotify_finalAtOnce_answeredOK() throws Exception {
        String ok = submitted("paypro-id");
        String failed = submitted("paypro-id");

        HttpResponse<String> r = notify("paypro-id", paypro(ok, "0000", "SUCCESS", StandInProviders.SECRET_ID));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("OK");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        // applied before the answer: no waiting
        assertThat(gateway.payout(ok).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.payout(ok).providerStatus()).isEqualTo("0000");
        assertThat(gateway.payout(ok).providerReference()).isEqualTo("PF-" + ok);
        HistoryEntry last = last(ok);
        assertThat(last.from()).isEqualTo(PayoutState.SUBMITTED);
        assertThat(last.to()).isEqualTo(PayoutState.SUCCESS);

        HttpResponse<String> f = notify("paypro-id", paypro(failed, "00029", "REJECTED_TRANSACTION", StandInProviders.SECRET_ID));
        assertThat(f.statusCode()).isEqualTo(200);
        assertThat(f.body()).isEqualTo("OK");
        assertThat(gateway.payout(failed).state()).isEqualTo(PayoutState.FAILED);
        assertThat(gateway.payout(failed).providerStatus()).isEqualTo("00029");

        Thread.sleep(300);
        assertThat(providers.queries("paypro-id", ok)).as("a verified notify needs no query").isZero();
        assertThat(providers.queries("paypro-id", failed)).isZero();
    }

    @Test
    void genuinePakistanAndKenyaSignedNotifies() throws Exception {
        String pk = submitted("paypro-pk");
        String ke = submitted("paypro-ke");
        HttpResponse<String> a = notify("paypro-pk", paypro(pk, "0000", "SUCCESS", StandInProviders.SECRET_PK));
        HttpResponse<String> b = notify("paypro-ke", paypro(ke, "0000", "SUCCESS", StandInProviders.SECRET_KE));
        assertThat(a.body()).isEqualTo("OK");
        assertThat(b.body()).isEqualTo("OK");
        assertThat(gateway.payout(pk).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.payout(ke).state()).isEqualTo(PayoutState.SUCCESS);
    }

    @Test
    void genuineDiamondPayNotify_signCoversANewField() throws Exception {
        String ref = submitted("diamondpay-id");
        Map<String, Object> n = diamond(ref, 3);
        n.put("settlement_batch", "SB-20261121-7"); // a field the document does not list
        n.put("sign", DiamondPaySignature.sign(n, StandInProviders.DP_KEY, DiamondPaySignature.SignType.MD5));

        HttpResponse<String> r = notify("diamondpay-id", JSON.writeValueAsString(n));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"error_code\":\"0000\"}"));
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.payout(ref).providerReference()).isEqualTo("POT-" + ref);
        assertThat(gateway.payout(ref).providerStatus()).isEqualTo("3");
    }

    @Test
    void diamondPayNotify_fieldAddedAfterSigning_isRefused() throws Exception {
        String ref = submitted("diamondpay-id");
        Map<String, Object> n = diamond(ref, 3);
        n.put("sign", DiamondPaySignature.sign(n, StandInProviders.DP_KEY, DiamondPaySignature.SignType.MD5));
        n.put("settlement_batch", "SB-injected"); // not covered by the sign: must not verify

        HttpResponse<String> r = notify("diamondpay-id", JSON.writeValueAsString(n));
        assertThat(r.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error_code").asText()).isNotEqualTo("0000");
        // the query the refusal triggers answers "processing": nothing changes
        Gateway.await(() -> providers.queries("diamondpay-id", ref) >= 1, Duration.ofSeconds(10), "no query for " + ref);
        Thread.sleep(200);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
    }

    // ------------------------------------------------------------------------------------ forged

    @Test
    void everyProviderCallAndNotifyIsKeptForThePayoutsStory() throws Exception {
        String genuine = submitted("paypro-id");
        String forged = submitted("paypro-id");
        notify("paypro-id", paypro(genuine, "0000", "SUCCESS", StandInProviders.SECRET_ID));
        notify("paypro-id", paypro(forged, "0000", "SUCCESS", "not-the-secret"));

        assertThat(rows("SELECT kind, outcome, latency_ms IS NOT NULL FROM provider_call WHERE reference = ? ORDER BY id", genuine))
                .first().isEqualTo(List.of("CREATE", "PROCESSING", "TRUE"));
        assertThat(rows("SELECT verified, outcome, provider_code, applied FROM provider_notify WHERE reference = ?", genuine))
                .containsExactly(List.of("TRUE", "SUCCESS", "0000", "TRUE"));
        assertThat(rows("SELECT verified, applied FROM provider_notify WHERE reference = ?", forged))
                .containsExactly(List.of("FALSE", "FALSE"));
        Gateway.await(() -> providers.queries("paypro-id", forged) >= 1, Duration.ofSeconds(10), "the query a forged notify asks for");
        Gateway.await(() -> !rows("SELECT outcome FROM provider_call WHERE reference = ? AND kind = 'QUERY'", forged).isEmpty(),
                Duration.ofSeconds(10), "the query kept");
    }

    static List<List<String>> rows(String sql, String reference) {
        try (java.sql.Connection c = gateway.store().dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, reference);
            List<List<String>> out = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> row = new java.util.ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(String.valueOf(rs.getObject(i)).toUpperCase(java.util.Locale.ROOT));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void forgedPayproNotify_stateUnchanged_errorAnswer_warningLogged() throws Exception {
        String ref = submitted("paypro-id");
        String forged = paypro(ref, "0000", "SUCCESS", "not-the-secret");

        HttpResponse<String> r = notify("paypro-id", forged);
        assertThat(r.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(r.body()).isNotEqualTo("OK");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
        Gateway.await(() -> LOG.has(Level.WARN, ref), Duration.ofSeconds(5), "no warning logged for " + ref + ": " + LOG.events);
        assertThat(LOG.matching(Level.WARN, ref)).anySatisfy(m -> assertThat(m).containsIgnoringCase("signature"));

        // a tampered genuine notify (status changed after signing) is just as forged
        Map<String, Object> genuine = payproFields(ref, "00029", "REJECTED");
        genuine.put("sign", PayproSignature.sign(genuine, StandInProviders.SECRET_ID, PayproSignature.SaltPosition.APPEND));
        genuine.put("status", "0000");
        HttpResponse<String> t = notify("paypro-id", JSON.writeValueAsString(genuine));
        assertThat(t.statusCode()).isGreaterThanOrEqualTo(400);

        Gateway.await(() -> providers.queries("paypro-id", ref) >= 1, Duration.ofSeconds(10), "no query for " + ref);
        Thread.sleep(300);
        assertThat(gateway.payout(ref).state()).as("the query said processing").isEqualTo(PayoutState.SUBMITTED);
        assertThat(gateway.store().history(ref)).extracting(HistoryEntry::to).doesNotContain(PayoutState.SUCCESS, PayoutState.FAILED);
    }

    @Test
    void forgedDiamondPayNotify_stateUnchanged() throws Exception {
        String ref = submitted("diamondpay-id");
        Map<String, Object> n = diamond(ref, 3);
        n.put("sign", DiamondPaySignature.sign(n, "WrongKey", DiamondPaySignature.SignType.MD5));
        HttpResponse<String> r = notify("diamondpay-id", JSON.writeValueAsString(n));
        assertThat(r.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error_code").asText()).isEqualTo("0004");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
        Gateway.await(() -> LOG.has(Level.WARN, ref), Duration.ofSeconds(5), "no warning logged for " + ref);
        Gateway.await(() -> providers.queries("diamondpay-id", ref) >= 1, Duration.ofSeconds(10), "no query for " + ref);
        Thread.sleep(300);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
    }

    @Test
    // was a bug, fixed: a forged (or unsigned) notify, which anyone can POST, spends the payout's query schedule and raises ...
    void forgedNotifies_doNotSpendTheQueryScheduleNorRaiseAttention() throws Exception {
        String ref = submitted("paypro-pk");
        java.time.Instant dueBefore = nextActionAt(ref);
        assertThat(dueBefore).isBefore(java.time.Instant.now().plus(Duration.ofMinutes(61)));
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> r = notify("paypro-pk", paypro(ref, "0000", "SUCCESS", "forger-" + i));
            assertThat(r.statusCode()).isEqualTo(400);
            int n = i;
            Gateway.await(() -> providers.queries("paypro-pk", ref) >= n, Duration.ofSeconds(5), "no query " + n);
        }
        Thread.sleep(300);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
        assertThat(gateway.payout(ref).needsAttention()).as("needs_attention raised by forged notifies").isFalse();
        assertThat(nextActionAt(ref)).as("next scheduled query").isBeforeOrEqualTo(dueBefore);
    }

    static java.time.Instant nextActionAt(String ref) {
        return gateway.store().inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT next_action_at FROM payout WHERE reference = ?")) {
                ps.setString(1, ref);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------ unsigned

    @Test
    void unsignedKenyaNotify_queriesAtOnce_andTheQueryDecides() throws Exception {
        String ref = submitted("paypro-ke");
        assertThat(providers.queries("paypro-ke", ref)).isZero();
        providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));

        // Kenya's documented example: no timestamp, no sign; it even claims a failure
        String unsigned = "{\"status\":\"00029\",\"message\":\"REJECTED\",\"platFormTradeNo\":\"PF-" + ref
                + "\",\"tradeNo\":\"" + ref + "\",\"amount\":\"1500\",\"successTime\":\"2026-11-21 10:00:00\"}";
        HttpResponse<String> r = notify("paypro-ke", unsigned);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("OK");

        Gateway.await(() -> providers.queries("paypro-ke", ref) >= 1, Duration.ofSeconds(5), "no immediate query for " + ref);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(5));
        assertThat(gateway.payout(ref).providerStatus()).as("the query's answer, not the notify's").isEqualTo("0000");
        assertThat(gateway.store().history(ref)).extracting(HistoryEntry::to).doesNotContain(PayoutState.FAILED);
        assertThat(providers.queries("paypro-ke", ref)).isEqualTo(1);
    }

    @Test
    void unsignedNotify_changesNothingByItself() throws Exception {
        String ref = submitted("paypro-ke"); // the stand-in query keeps answering 0015 processing
        String unsigned = "{\"status\":\"0000\",\"message\":\"SUCCESS\",\"platFormTradeNo\":\"PF-" + ref
                + "\",\"tradeNo\":\"" + ref + "\",\"amount\":\"1500\"}";
        HttpResponse<String> r = notify("paypro-ke", unsigned);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
        Gateway.await(() -> providers.queries("paypro-ke", ref) >= 1, Duration.ofSeconds(5), "no immediate query for " + ref);
        Thread.sleep(500);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
        assertThat(providers.queries("paypro-ke", ref)).isEqualTo(1);

        // and the same for an unsigned DiamondPay notify
        String dp = submitted("diamondpay-id");
        Map<String, Object> n = diamond(dp, 3);
        HttpResponse<String> d = notify("diamondpay-id", JSON.writeValueAsString(n));
        assertThat(d.statusCode()).isEqualTo(200);
        Gateway.await(() -> providers.queries("diamondpay-id", dp) >= 1, Duration.ofSeconds(5), "no immediate query for " + dp);
        Thread.sleep(300);
        assertThat(gateway.payout(dp).state()).isEqualTo(PayoutState.SUBMITTED);
    }

    // ------------------------------------------------------------------------------------ retries, order

    @Test
    void duplicateNotifies_oneHistoryEntry() throws Exception {
        String ref = submitted("paypro-id");
        String body = paypro(ref, "0000", "SUCCESS", StandInProviders.SECRET_ID);
        HttpResponse<String> a = notify("paypro-id", body);
        HttpResponse<String> b = notify("paypro-id", body);
        assertThat(a.body()).isEqualTo("OK");
        assertThat(b.statusCode()).isEqualTo(200);
        assertThat(b.body()).as("a repeated notify is acknowledged too, or the provider keeps retrying").isEqualTo("OK");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.store().history(ref)).filteredOn(h -> h.to() == PayoutState.SUCCESS).hasSize(1);

        String dp = submitted("diamondpay-id");
        Map<String, Object> n = diamond(dp, 3);
        n.put("sign", DiamondPaySignature.sign(n, StandInProviders.DP_KEY, DiamondPaySignature.SignType.MD5));
        String dpBody = JSON.writeValueAsString(n);
        List<HttpResponse<String>> answers = List.of(notify("diamondpay-id", dpBody), notify("diamondpay-id", dpBody),
                notify("diamondpay-id", dpBody));
        assertThat(answers).allSatisfy(x -> assertThat(x.body()).contains("\"0000\""));
        assertThat(gateway.store().history(dp)).filteredOn(h -> h.to() == PayoutState.SUCCESS).hasSize(1);
    }

    @Test
    void concurrentDuplicateNotifies_oneHistoryEntry() throws Exception {
        String ref = submitted("paypro-id");
        String body = paypro(ref, "0000", "SUCCESS", StandInProviders.SECRET_ID);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inFlight.add(http.sendAsync(request("paypro-id", body), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : inFlight) {
            assertThat(f.get(15, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("OK");
        }
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.store().history(ref)).filteredOn(h -> h.to() == PayoutState.SUCCESS).hasSize(1);
    }

    @Test
    void outOfOrderNotifies_finalStateStays() throws Exception {
        String ref = submitted("paypro-id");
        assertThat(notify("paypro-id", paypro(ref, "0000", "SUCCESS", StandInProviders.SECRET_ID)).body()).isEqualTo("OK");
        HttpResponse<String> processing = notify("paypro-id", paypro(ref, "0015", "PROCESSING", StandInProviders.SECRET_ID));
        HttpResponse<String> failed = notify("paypro-id", paypro(ref, "00029", "REJECTED", StandInProviders.SECRET_ID));
        assertThat(processing.body()).isEqualTo("OK");
        assertThat(failed.body()).isEqualTo("OK");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.payout(ref).providerStatus()).isEqualTo("0000");
        assertThat(gateway.store().history(ref)).extracting(HistoryEntry::to)
                .containsExactly(PayoutState.RECEIVED, PayoutState.SENDING, PayoutState.SUBMITTED, PayoutState.SUCCESS);

        // an unsigned notify for a final payout does not even query
        notify("paypro-id", "{\"status\":\"00029\",\"tradeNo\":\"" + ref + "\"}");
        Thread.sleep(300);
        assertThat(providers.queries("paypro-id", ref)).isZero();

        String dp = submitted("diamondpay-id");
        for (int status : new int[] {3, 2, 5, 4}) {
            Map<String, Object> n = diamond(dp, status);
            n.put("sign", DiamondPaySignature.sign(n, StandInProviders.DP_KEY, DiamondPaySignature.SignType.MD5));
            assertThat(notify("diamondpay-id", JSON.writeValueAsString(n)).statusCode()).isEqualTo(200);
        }
        assertThat(gateway.payout(dp).state()).isEqualTo(PayoutState.SUCCESS);
        assertThat(gateway.store().history(dp)).filteredOn(h -> h.to().isFinal()).hasSize(1);
    }

    @Test
    void processingNotifyWhileSubmitted_changesNothing() throws Exception {
        String ref = submitted("paypro-id");
        int before = gateway.store().history(ref).size();
        assertThat(notify("paypro-id", paypro(ref, "0015", "PROCESSING", StandInProviders.SECRET_ID)).body()).isEqualTo("OK");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUBMITTED);
        assertThat(gateway.store().history(ref)).hasSize(before);
    }

    // ------------------------------------------------------------------------------------ unknowns

    @Test
    void notifyForUnknownReference_acknowledged_nothingBreaks() throws Exception {
        String nobody = "NOBODY-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> r = notify("paypro-id", paypro(nobody, "0000", "SUCCESS", StandInProviders.SECRET_ID));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("OK");
        Map<String, Object> n = diamond(nobody, 3);
        n.put("sign", DiamondPaySignature.sign(n, StandInProviders.DP_KEY, DiamondPaySignature.SignType.MD5));
        HttpResponse<String> d = notify("diamondpay-id", JSON.writeValueAsString(n));
        assertThat(d.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(d.body()).path("error_code").asText()).isEqualTo("0000");
        assertThat(gateway.store().find(nobody)).as("a notify creates no payout").isEmpty();

        // a payout of another account is not touched by a notify to this one
        String ke = submitted("paypro-ke");
        HttpResponse<String> cross = notify("paypro-id", paypro(ke, "0000", "SUCCESS", StandInProviders.SECRET_ID));
        assertThat(cross.statusCode()).isEqualTo(200);
        assertThat(gateway.payout(ke).state()).isEqualTo(PayoutState.SUBMITTED);

        // the endpoint still works
        String ref = submitted("paypro-id");
        assertThat(notify("paypro-id", paypro(ref, "0000", "SUCCESS", StandInProviders.SECRET_ID)).body()).isEqualTo("OK");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
    }

    @Test
    void notifyToUnknownAccount_404() throws Exception {
        HttpResponse<String> r = notify("paypro-xx", paypro("R1", "0000", "SUCCESS", StandInProviders.SECRET_ID));
        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void notifyNotJson_refused() throws Exception {
        HttpResponse<String> r = notify("paypro-id", "status=0000&tradeNo=R1");
        assertThat(r.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(r.body()).doesNotContain("Exception");
        HttpResponse<String> e = notify("diamondpay-id", "");
        assertThat(e.statusCode()).isGreaterThanOrEqualTo(400);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A payout of the account, made SUBMITTED through a payout file; its query answers "processing". */
    static String submitted(String account) throws Exception {
        String ref = "N" + account.substring(account.length() - 2).toUpperCase() + "-" + UUID.randomUUID().toString().substring(0, 12);
        String row;
        if (account.equals("diamondpay-id")) {
            providers.create(account, ref, diamondAccepted(ref));
            providers.query(account, ref, diamondStatus(ref, 2));
            row = "{\"reference\":\"" + ref + "\",\"country\":\"ID\",\"provider\":\"diamondpay-id\",\"amount\":\"150000\","
                    + "\"currency\":\"IDR\",\"beneficiary_name\":\"test_name\",\"account_number\":\"4088748280272397\","
                    + "\"bank_code\":\"BCA\"}";
        } else {
            providers.create(account, ref, payproAccepted(ref));
            providers.query(account, ref, payproStatus(ref, "0015", "PROCESSING"));
            row = switch (account) {
                case "paypro-id" -> "{\"reference\":\"" + ref + "\",\"country\":\"ID\",\"amount\":150000,\"currency\":\"IDR\","
                        + "\"beneficiary_name\":\"Budi Santoso\",\"account_number\":\"5464438554636\",\"bank_code\":\"0002\","
                        + "\"mobile\":\"081245907765\",\"email\":\"budi@example.com\"}";
                case "paypro-ke" -> "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"1500\",\"currency\":\"KES\","
                        + "\"mobile\":\"254712345678\"}";
                default -> "{\"reference\":\"" + ref + "\",\"country\":\"PK\",\"amount\":\"5000\",\"currency\":\"PKR\","
                        + "\"beneficiary_name\":\"Jane Doe\",\"account_number\":\"9876543210\",\"bank_code\":\"ALLIED_BANK_LIMITED\","
                        + "\"account_type\":\"BANK\",\"mobile\":\"3115112345\",\"email\":\"jane@example.com\","
                        + "\"id_number\":\"1730123456789\",\"remark\":\"invoice\"}";
            };
        }
        gateway.drop(ref + ".json", "[" + row + "]");
        gateway.awaitState(ref, PayoutState.SUBMITTED, Duration.ofSeconds(20));
        return ref;
    }

    static Map<String, Object> payproFields(String ref, String status, String message) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("status", status);
        f.put("message", message);
        f.put("platFormTradeNo", "PF-" + ref);
        f.put("tradeNo", ref);
        f.put("amount", "150000");
        f.put("successTime", "2026-11-21 10:00:00");
        f.put("timestamp", System.currentTimeMillis());
        return f;
    }

    /** A Paypro notify, signed with the secret given (the account's, or a wrong one). */
    static String paypro(String ref, String status, String message, String secret) throws Exception {
        Map<String, Object> f = payproFields(ref, status, message);
        f.put("sign", PayproSignature.sign(f, secret, PayproSignature.SaltPosition.APPEND));
        return JSON.writeValueAsString(f);
    }

    /** DiamondPay notify fields, unsigned. */
    static Map<String, Object> diamond(String ref, int status) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("payout_id", "POT-" + ref);
        f.put("payout_cl_id", ref);
        f.put("platform_id", "PF0002");
        f.put("amount", 15000000L);
        f.put("real_amount", 15000000L);
        f.put("fee", 0);
        f.put("status", status);
        f.put("error_msg", "");
        f.put("create_time", 1763719200L);
        f.put("update_time", 1763719260L);
        return f;
    }

    static HistoryEntry last(String ref) {
        List<HistoryEntry> h = gateway.store().history(ref);
        return h.get(h.size() - 1);
    }

    static HttpRequest request(String account, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort + "/notify/" + account))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static HttpResponse<String> notify(String account, String body) throws Exception {
        return http.send(request(account, body), HttpResponse.BodyHandlers.ofString());
    }

    /** Log events of the application, kept for assertions. */
    static final class Captured extends AbstractAppender {
        final List<String> events = new CopyOnWriteArrayList<>();

        Captured() {
            super("notify-test-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent e) {
            events.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getMessage().getFormattedMessage());
        }

        void install() {
            LoggerContext ctx = LoggerContext.getContext(false);
            Configuration config = ctx.getConfiguration();
            start();
            config.addAppender(this);
            config.getRootLogger().addAppender(this, Level.INFO, null);
            ctx.updateLoggers();
        }

        void uninstall() {
            LoggerContext ctx = LoggerContext.getContext(false);
            ctx.getConfiguration().getRootLogger().removeAppender(getName());
            ctx.updateLoggers();
            stop();
        }

        List<String> matching(Level level, String text) {
            return events.stream().filter(e -> e.startsWith(level.name() + " ") && e.contains(text)).toList();
        }

        boolean has(Level level, String text) {
            return !matching(level, text).isEmpty();
        }
    }
}
