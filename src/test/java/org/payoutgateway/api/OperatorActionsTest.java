package org.payoutgateway.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.ApiCalls;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * The operator actions over real HTTP on the booted application, each a compare-and-set on the
 * payout's state, audited and never a second send under another reference: settlement by hand
 * applied only when a different client with the role approver approves it, resend under the same
 * reference refused when the provider has the order, cancel refused once claimed, query now,
 * callback redelivery.
 */
class OperatorActionsTest {

    static final String SUBMIT = "submitter-key";
    static final String OPS = "ops-key";
    static final String BOTH = "ops-and-approver-key";
    static final String CHECK = "checker-key";
    static final String VIEW = "viewer-key";
    static final ObjectMapper JSON = new ObjectMapper();

    static StandInProviders providers;
    static Gateway gateway;
    static ApiCalls api;
    static HttpServer receiver;
    static final AtomicInteger callbacks = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/callbacks", ex -> {
            callbacks.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.clients", "team,ops,both,checker,audit");
        s.put("payout.api.client.team.keys", SUBMIT);
        s.put("payout.api.client.team.roles", "submitter");
        s.put("payout.api.client.ops.keys", OPS);
        s.put("payout.api.client.ops.roles", "operator");
        s.put("payout.api.client.both.keys", BOTH);
        s.put("payout.api.client.both.roles", "operator,approver");
        s.put("payout.api.client.checker.keys", CHECK);
        s.put("payout.api.client.checker.roles", "approver");
        s.put("payout.api.client.audit.keys", VIEW);
        s.put("payout.api.client.audit.roles", "viewer");
        s.put("payout.webhook.signing-key", "operator-test-signing-key");
        s.put("payout.webhook.poll-interval-ms", "200");
        s.put("payout.webhook.allow-http", "true");
        s.put("payout.webhook.allow-private-targets", "true");
        s.put("payout.provider.paypro-ke.query-schedule", "300ms,300ms,1h");
        s.put("payout.provider.paypro-pk.query-schedule", "1h");
        s.put("payout.dispatch.retry-backoff", "1h");
        gateway = Gateway.start("operator-actions", s);
        api = new ApiCalls(gateway);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (providers != null) {
            providers.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    /** A Kenyan payout whose create answers HTTP 500 and whose queries answer 500: UNKNOWN, asked, no provider id. */
    static String unknownPayout() throws Exception {
        String ref = ref("UNK");
        providers.create("paypro-ke", ref, aResponse().withStatus(500));
        providers.query("paypro-ke", ref, aResponse().withStatus(500));
        assertThat(submit(kenya(ref)).statusCode()).isEqualTo(202);
        gateway.awaitState(ref, PayoutState.UNKNOWN, Duration.ofSeconds(20));
        Gateway.await(() -> gateway.payout(ref).queryCount() >= 1, Duration.ofSeconds(20), "queried once");
        return ref;
    }

    @Test
    void aSettlementByHandIsAppliedOnlyWhenAnotherClientApprovesIt() throws Exception {
        String ref = unknownPayout();
        HttpResponse<String> proposed = post("/api/v1/payouts/" + ref + "/settlements",
                "{\"state\":\"SUCCESS\",\"reason\":\"paid, per provider support\",\"evidence\":\"ticket PP-4711\"}", BOTH);
        assertThat(proposed.statusCode()).as(proposed.body()).isEqualTo(202);
        long id = JSON.readTree(proposed.body()).path("action").path("id").asLong();
        assertThat(gateway.payout(ref).state()).as("nothing changes on a proposal").isEqualTo(PayoutState.UNKNOWN);
        assertThat(listedSettlements(VIEW)).contains(id);

        HttpResponse<String> self = post("/api/v1/settlements/" + id + "/approve", "", BOTH);
        assertThat(self.statusCode()).as("the proposer approves its own").isEqualTo(403);
        assertThat(self.body()).contains("different client");
        assertThat(post("/api/v1/settlements/" + id + "/approve", "", OPS).statusCode()).as("an operator, not an approver").isEqualTo(403);
        assertThat(post("/api/v1/settlements/" + id + "/approve", "", SUBMIT).statusCode()).isEqualTo(403);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.UNKNOWN);

        HttpResponse<String> approved = post("/api/v1/settlements/" + id + "/approve", "", CHECK);
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        JsonNode a = JSON.readTree(approved.body());
        assertThat(a.path("action").path("status").asText()).isEqualTo("APPLIED");
        assertThat(a.path("action").path("decided_by").asText()).isEqualTo("checker");
        assertThat(a.path("payout").path("status").asText()).isEqualTo("SUCCESS");
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
        List<HistoryEntry> story = gateway.store().history(ref);
        assertThat(story.get(story.size() - 1).message()).contains("settled by hand as SUCCESS by both")
                .contains("approved by checker").contains("ticket PP-4711");
        assertThat(post("/api/v1/settlements/" + id + "/approve", "", CHECK).statusCode()).as("approved twice").isEqualTo(409);
        assertThat(providers.creates("paypro-ke", ref)).as("settling sends nothing").hasSize(1);

        JsonNode actions = JSON.readTree(get("/api/v1/payouts/" + ref + "/actions", VIEW).body()).path("items");
        assertThat(actions).hasSize(1);
        assertThat(actions.get(0).path("client").asText()).isEqualTo("both");
        assertThat(actions.get(0).path("reason").asText()).isEqualTo("paid, per provider support");
        assertThat(audit()).contains("both propose-settlement " + ref + " PROPOSED 202",
                "both approve-settlement " + ref + " REFUSED 403", "ops approve-settlement " + ref + " REFUSED 403",
                "checker approve-settlement " + ref + " APPROVED 200".replace("APPROVED", "APPLIED"));
    }

    @Test
    void aRejectedSettlementLeavesThePayoutUnknownAndOnlyAnUnknownPayoutIsSettled() throws Exception {
        String ref = unknownPayout();
        long id = JSON.readTree(post("/api/v1/payouts/" + ref + "/settlements",
                "{\"state\":\"FAILED\",\"reason\":\"r\",\"evidence\":\"e\"}", OPS).body()).path("action").path("id").asLong();
        assertThat(post("/api/v1/payouts/" + ref + "/settlements", "{\"state\":\"FAILED\",\"reason\":\"r\",\"evidence\":\"e\"}", OPS)
                .statusCode()).as("a second open proposal").isEqualTo(409);
        assertThat(post("/api/v1/settlements/" + id + "/reject", "{\"reason\":\"no evidence of failure\"}", CHECK).statusCode())
                .isEqualTo(200);
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.UNKNOWN);
        assertThat(post("/api/v1/settlements/" + id + "/approve", "", CHECK).statusCode()).isEqualTo(409);
        assertThat(post("/api/v1/payouts/" + ref + "/settlements", "{\"state\":\"SENDING\",\"reason\":\"r\",\"evidence\":\"e\"}", OPS)
                .statusCode()).isEqualTo(422);
        assertThat(post("/api/v1/payouts/" + ref + "/settlements", "{\"state\":\"SUCCESS\",\"reason\":\"r\"}", OPS)
                .statusCode()).as("without evidence").isEqualTo(422);

        String paid = ref("PAID");
        providers.create("paypro-ke", paid, payproAccepted(paid));
        providers.query("paypro-ke", paid, payproStatus(paid, "0000", "SUCCESS"));
        submit(kenya(paid));
        gateway.awaitState(paid, PayoutState.SUCCESS, Duration.ofSeconds(20));
        assertThat(post("/api/v1/payouts/" + paid + "/settlements", "{\"state\":\"FAILED\",\"reason\":\"r\",\"evidence\":\"e\"}", OPS)
                .statusCode()).as("a final payout").isEqualTo(409);
    }

    @Test
    void resendGoesUnderTheSameReferenceAndIsRefusedWhenTheProviderHasTheOrder() throws Exception {
        String ref = unknownPayout();
        assertThat(post("/api/v1/payouts/" + ref + "/resend", "{}", OPS).statusCode()).as("without what the provider said")
                .isEqualTo(422);
        assertThat(post("/api/v1/payouts/" + ref + "/resend", "{\"provider_said\":\"not found\"}", VIEW).statusCode()).isEqualTo(403);
        providers.create("paypro-ke", ref, payproAccepted(ref));
        providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
        HttpResponse<String> r = post("/api/v1/payouts/" + ref + "/resend",
                "{\"provider_said\":\"support: no order with this tradeNo\"}", OPS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        assertThat(providers.creates("paypro-ke", ref)).as("sent again, under the same tradeNo").hasSize(2);

        // the provider gave the order an id in a reply whose status is not known: it has the order
        String known = ref("HAS");
        providers.create("paypro-ke", known, aResponse().withStatus(500));
        providers.query("paypro-ke", known, payproStatus(known, "0001", "partial"));
        submit(kenya(known));
        Gateway.await(() -> gateway.payout(known).providerReference() != null, Duration.ofSeconds(20), "the provider's id");
        assertThat(gateway.payout(known).state()).isEqualTo(PayoutState.UNKNOWN);
        HttpResponse<String> refused = post("/api/v1/payouts/" + known + "/resend", "{\"provider_said\":\"not found\"}", OPS);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("PF-" + known);
        assertThat(providers.creates("paypro-ke", known)).hasSize(1);
        assertThat(gateway.payout(known).state()).isEqualTo(PayoutState.UNKNOWN);
    }

    @Test
    void aReceivedPayoutIsCancelledButNotOnceClaimedOrOnceSent() throws Exception {
        // HTTP 429: not taken, RECEIVED again for an hour (payout.dispatch.retry-backoff)
        String waiting = ref("WAIT");
        providers.create("paypro-ke", waiting, aResponse().withStatus(429));
        submit(kenya(waiting));
        Gateway.await(() -> gateway.payout(waiting).dispatchCount() == 1 && gateway.payout(waiting).state() == PayoutState.RECEIVED,
                Duration.ofSeconds(20), "RECEIVED after a 429");
        assertThat(post("/api/v1/payouts/" + waiting + "/cancel", "{}", OPS).statusCode()).as("without a reason").isEqualTo(422);
        HttpResponse<String> cancelled = post("/api/v1/payouts/" + waiting + "/cancel", "{\"reason\":\"duplicate of a bank transfer\"}", OPS);
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(gateway.payout(waiting).state()).isEqualTo(PayoutState.FAILED);
        assertThat(gateway.payout(waiting).message()).contains("cancelled by ops").contains("duplicate of a bank transfer");

        // claimed: the create call is on the wire for 3 s
        String claimed = ref("CLAIM");
        providers.create("paypro-ke", claimed, payproAccepted(claimed).withFixedDelay(3000));
        providers.query("paypro-ke", claimed, payproStatus(claimed, "0015", "processing"));
        submit(kenya(claimed));
        Gateway.await(() -> gateway.payout(claimed).state() == PayoutState.SENDING, Duration.ofSeconds(10), "SENDING");
        HttpResponse<String> late = post("/api/v1/payouts/" + claimed + "/cancel", "{\"reason\":\"too late\"}", OPS);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.body()).contains("SENDING");
        Gateway.await(() -> gateway.payout(claimed).state() != PayoutState.SENDING, Duration.ofSeconds(10), "the create answered");
        assertThat(post("/api/v1/payouts/" + claimed + "/cancel", "{\"reason\":\"x\"}", OPS).statusCode()).isEqualTo(409);
        assertThat(audit()).contains("ops cancel " + waiting + " APPLIED 200", "ops cancel " + claimed + " REFUSED 409");
    }

    @Test
    void queryNowAsksTheProviderAtOnce() throws Exception {
        String ref = ref("QNOW");
        String body = "{\"reference\":\"" + ref + "\",\"country\":\"PK\",\"amount\":\"5000\",\"currency\":\"PKR\","
                + "\"beneficiary_name\":\"Jane Doe\",\"account_number\":\"9876543210\",\"bank_code\":\"ALLIED_BANK_LIMITED\","
                + "\"account_type\":\"BANK\",\"mobile\":\"3115112345\",\"email\":\"jane@example.com\","
                + "\"id_number\":\"17301-2345678-9\",\"remark\":\"invoice 1001\"}";
        providers.create("paypro-pk", ref, payproAccepted(ref));
        providers.query("paypro-pk", ref, payproStatus(ref, "0000", "SUCCESS"));
        HttpResponse<String> s = submit(body);
        assertThat(s.statusCode()).as(s.body()).isEqualTo(202);
        gateway.awaitState(ref, PayoutState.SUBMITTED, Duration.ofSeconds(20));
        Thread.sleep(1500);
        assertThat(providers.queries("paypro-pk", ref)).as("first query an hour away").isZero();
        assertThat(post("/api/v1/payouts/" + ref + "/query-now", "", OPS).statusCode()).isEqualTo(200);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(10));
        assertThat(providers.queries("paypro-pk", ref)).isEqualTo(1);
        assertThat(post("/api/v1/payouts/" + ref + "/query-now", "", OPS).statusCode()).as("a final payout").isEqualTo(409);
    }

    @Test
    void aDeliveredCallbackIsRedelivered() throws Exception {
        String ref = ref("CB");
        providers.create("paypro-ke", ref, payproAccepted(ref));
        providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/callbacks/" + ref;
        submit(kenya(ref).replace("}", ",\"callback_url\":\"" + url + "\"}"));
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
        Gateway.await(() -> callbacks.get() >= 1, Duration.ofSeconds(20), "the first callback");
        int before = callbacks.get();
        Thread.sleep(300);
        assertThat(post("/api/v1/payouts/" + ref + "/redeliver-callback", "", OPS).statusCode()).isEqualTo(200);
        Gateway.await(() -> callbacks.get() > before, Duration.ofSeconds(20), "the callback delivered again");
        String plain = unknownPayout();
        assertThat(post("/api/v1/payouts/" + plain + "/redeliver-callback", "", OPS).statusCode()).as("no callback_url").isEqualTo(409);
    }

    // ------------------------------------------------------------------------------------ helpers

    static List<Long> listedSettlements(String key) throws Exception {
        List<Long> ids = new ArrayList<>();
        JSON.readTree(get("/api/v1/settlements", key).body()).path("items").forEach(i -> ids.add(i.path("id").asLong()));
        return ids;
    }

    static List<String> audit() throws Exception {
        List<String> lines = new ArrayList<>();
        JSON.readTree(get("/api/v1/audit?size=500", VIEW).body()).path("items").forEach(r -> lines.add(r.path("client").asText()
                + " " + r.path("action").asText() + " " + r.path("reference").asText() + " " + r.path("outcome").asText()
                + " " + r.path("status").asInt()));
        return lines;
    }

    static String ref(String prefix) {
        return ApiCalls.ref(prefix);
    }

    static String kenya(String ref) {
        return ApiCalls.kenya(ref, "1500");
    }

    static HttpResponse<String> submit(String body) throws Exception {
        return post("/api/v1/payouts", body, SUBMIT);
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        return api.post(path, body, key);
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        return api.get(path, key);
    }
}
