package org.payoutgateway.callback;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * Callbacks to the submitter's {@code callback_url}: signed, retried on the configured back-off,
 * every attempt recorded in {@code callback_delivery}, given up when the budget is spent.
 */
class SubmitterCallbackTest {

    static final String KEY = "test-key-1";
    static final String SIGNING_KEY = "whsec-test-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    static StandInProviders providers;
    static WireMockServer receiver;
    static Gateway gateway;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        receiver = new WireMockServer(wireMockConfig().dynamicPort());
        receiver.start();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.keys", KEY);
        s.put("payout.webhook.signing-key", SIGNING_KEY);
        s.putAll(Gateway.LAB_CALLBACKS); // the receiver is a stand-in on loopback
        s.put("payout.webhook.retry-backoff", "300ms,300ms,300ms");
        s.put("payout.webhook.poll-interval-ms", "100");
        gateway = Gateway.start("callbacks", s);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (receiver != null) {
            receiver.stop();
        }
        if (providers != null) {
            providers.close();
        }
    }

    @Test
    void failsTwiceThenAccepted_threeSignedPosts_recorded() throws Exception {
        String ref = ref("CB1");
        String path = "/hooks/payouts/" + ref + "?token=abc&x=1";
        receiver.stubFor(post(urlEqualTo(path)).inScenario(ref).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        receiver.stubFor(post(urlEqualTo(path)).inScenario(ref).whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("third"));
        receiver.stubFor(post(urlEqualTo(path)).inScenario(ref).whenScenarioStateIs("third")
                .willReturn(aResponse().withStatus(200).withBody("thanks")).willSetStateTo("done"));
        submitPaid(ref, "http://localhost:" + receiver.port() + path, "0000");

        Gateway.await(() -> outcomes(ref).contains("DELIVERED"), Duration.ofSeconds(20),
                () -> "never delivered; attempts " + deliveries(ref));
        Thread.sleep(1000); // three back-off intervals: any further attempt would have come by now

        List<LoggedRequest> posts = receiver.findAll(postRequestedFor(urlEqualTo(path)));
        assertThat(posts).hasSize(3);
        for (LoggedRequest r : posts) {
            byte[] raw = r.getBody();
            assertThat(r.getHeader("X-Payout-Signature")).as("signature of the raw body").isEqualTo(hmacHex(SIGNING_KEY, raw));
            assertThat(r.getHeader("Content-Type")).startsWith("application/json");
            JsonNode body = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
            assertThat(body.path("reference").asText()).isEqualTo(ref);
            assertThat(body.path("status").asText()).isEqualTo("SUCCESS");
            assertThat(body.path("provider").asText()).isEqualTo("paypro-ke");
            assertThat(body.path("provider_reference").asText()).isEqualTo("PF-" + ref);
            assertThat(body.path("amount").asText()).isEqualTo("1500");
            assertThat(r.getHeader("X-API-Key")).as("no gateway header leaks to the receiver").isNull();
        }
        // the back-off is kept between attempts
        for (int i = 1; i < posts.size(); i++) {
            long gap = posts.get(i).getLoggedDate().getTime() - posts.get(i - 1).getLoggedDate().getTime();
            assertThat(gap).as("gap before attempt " + (i + 1)).isGreaterThanOrEqualTo(250);
        }

        List<Map<String, Object>> rows = deliveries(ref);
        assertThat(rows).extracting(m -> m.get("outcome")).containsExactly("RETRY", "RETRY", "DELIVERED");
        assertThat(rows).extracting(m -> m.get("attempt")).containsExactly(1, 2, 3);
        assertThat(rows).extracting(m -> m.get("http_status")).containsExactly(500, 503, 200);
        assertThat(rows).extracting(m -> m.get("url")).containsOnly("http://localhost:" + receiver.port() + path);
        assertThat(rows.get(2).get("error")).isNull();
        assertThat(callbackState(ref)).isEqualTo("DELIVERED");
    }

    @Test
    void alwaysFails_gaveUpAfterTheBudget_noMoreAttempts() throws Exception {
        String ref = ref("CB2");
        String path = "/hooks/" + ref;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(500).withBody("down")));
        submitPaid(ref, "http://localhost:" + receiver.port() + path, "0000");

        Gateway.await(() -> outcomes(ref).contains("GAVE_UP"), Duration.ofSeconds(20),
                () -> "never given up; attempts " + deliveries(ref));
        Thread.sleep(1500);

        // the first attempt and one per back-off interval, then nothing
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).hasSize(4);
        List<Map<String, Object>> rows = deliveries(ref);
        assertThat(rows).extracting(m -> m.get("outcome")).containsExactly("RETRY", "RETRY", "RETRY", "GAVE_UP");
        assertThat(rows).extracting(m -> m.get("http_status")).containsOnly(500);
        assertThat(rows).extracting(m -> m.get("error")).containsOnly("HTTP 500");
        assertThat(callbackState(ref)).isEqualTo("GAVE_UP");
        assertThat(gateway.payout(ref).state()).as("the payout itself is not affected").isEqualTo(PayoutState.SUCCESS);
    }

    @Test
    void unreachableReceiver_recordedWithoutStatus_gaveUp() throws Exception {
        String ref = ref("CB3");
        int closed = Gateway.freePort();
        submitPaid(ref, "http://localhost:" + closed + "/hook", "0000");

        Gateway.await(() -> outcomes(ref).contains("GAVE_UP"), Duration.ofSeconds(30),
                () -> "never given up; attempts " + deliveries(ref));
        List<Map<String, Object>> rows = deliveries(ref);
        assertThat(rows).extracting(m -> m.get("outcome")).containsExactly("RETRY", "RETRY", "RETRY", "GAVE_UP");
        assertThat(rows).extracting(m -> m.get("http_status")).containsOnlyNulls();
        assertThat(rows).allSatisfy(m -> assertThat((String) m.get("error")).isNotBlank());
    }

    @Test
    void failedPayout_callbackSaysFailed_any2xxIsDelivery() throws Exception {
        String ref = ref("CB4");
        String path = "/hooks/" + ref;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(204)));
        submitPaid(ref, "http://localhost:" + receiver.port() + path, "00029");

        Gateway.await(() -> outcomes(ref).contains("DELIVERED"), Duration.ofSeconds(20),
                () -> "never delivered; attempts " + deliveries(ref));
        Thread.sleep(700);
        List<LoggedRequest> posts = receiver.findAll(postRequestedFor(urlPathEqualTo(path)));
        assertThat(posts).hasSize(1);
        JsonNode body = JSON.readTree(posts.get(0).getBodyAsString());
        assertThat(body.path("status").asText()).isEqualTo("FAILED");
        assertThat(body.path("provider_status").asText()).isEqualTo("00029");
        assertThat(posts.get(0).getHeader("X-Payout-Signature")).isEqualTo(hmacHex(SIGNING_KEY, posts.get(0).getBody()));
        assertThat(deliveries(ref)).extracting(m -> m.get("outcome")).containsExactly("DELIVERED");
    }

    @Test
    void callbackUrlWithoutSigningKey_422NamesCallbackUrl() throws Exception {
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.keys", KEY);
        s.put("payout.webhook.signing-key", "");
        try (Gateway unsigned = Gateway.start("callbacks-unsigned", s)) {
            String ref = ref("CB5");
            HttpResponse<String> r = submit(unsigned, kenya(ref, "http://localhost:" + receiver.port() + "/hooks/" + ref));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            List<String> fields = new ArrayList<>();
            JSON.readTree(r.body()).path("errors").forEach(e -> fields.add(e.path("field").asText()));
            assertThat(fields).containsExactly("callback_url");
            assertThat(unsigned.store().find(ref)).isEmpty();

            // without callback_url the same instruction is taken
            String ref2 = ref("CB6");
            HttpResponse<String> ok = submit(unsigned, kenya(ref2, null));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
        }
    }

    @Test
    // was a bug, fixed: a receiver slower than payout.webhook.poll-interval-ms gets the same callback many times, and ...
    void slowReceiver_getsTheCallbackOnce() throws Exception {
        String ref = ref("CB8");
        String path = "/hooks/" + ref;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200).withFixedDelay(600)));
        submitPaid(ref, "http://localhost:" + receiver.port() + path, "0000");
        Gateway.await(() -> outcomes(ref).contains("DELIVERED"), Duration.ofSeconds(20),
                () -> "never delivered; attempts " + deliveries(ref));
        Thread.sleep(1500);
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).as("callback POSTs").hasSize(1);
        assertThat(outcomes(ref)).containsExactly("DELIVERED");
    }

    @Test
    // was a bug, fixed: a slow failing receiver spends the retry budget at the poll interval instead of the back-off; ...
    void slowFailingReceiver_attemptsFollowTheBackoff() throws Exception {
        String ref = ref("CB9");
        String path = "/hooks/" + ref;
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(500).withFixedDelay(600)));
        submitPaid(ref, "http://localhost:" + receiver.port() + path, "0000");
        Gateway.await(() -> !deliveries(ref).isEmpty(), Duration.ofSeconds(20), "no attempt");
        Thread.sleep(500);
        // 600 ms per attempt plus 300 ms back-off: at most one attempt is recorded in the first ~0.5 s after the first
        assertThat(deliveries(ref)).as("attempts recorded half a second after the first").hasSize(1);
        Gateway.await(() -> outcomes(ref).contains("GAVE_UP"), Duration.ofSeconds(20), "never given up");
        Thread.sleep(1500);
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).hasSize(4);
        assertThat(outcomes(ref)).containsExactly("RETRY", "RETRY", "RETRY", "GAVE_UP");
    }

    @Test
    // was a bug, fixed: with two gateway instances on one payout store (supported elsewhere: dispatch claims by ...
    void twoInstancesOnOneStore_deliverEachCallbackOnce() throws Exception {
        String db = "jdbc:h2:mem:shared-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH";
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.keys", KEY);
        s.put("payout.webhook.signing-key", SIGNING_KEY);
        s.putAll(Gateway.LAB_CALLBACKS); // the receiver is a stand-in on loopback
        s.put("payout.webhook.retry-backoff", "300ms,300ms,300ms");
        s.put("payout.webhook.poll-interval-ms", "100");
        s.put("payout.datasource.url", db);
        try (Gateway one = Gateway.start("callbacks-a", s); Gateway two = Gateway.start("callbacks-b", s)) {
            String ref = ref("CB7");
            String path = "/hooks/" + ref;
            // a receiver that takes a moment to answer, as real ones do
            receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200).withFixedDelay(600)));
            providers.create("paypro-ke", ref, payproAccepted(ref));
            providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
            HttpResponse<String> r = submit(one, kenya(ref, "http://localhost:" + receiver.port() + path));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            one.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));
            Gateway.await(() -> !receiver.findAll(postRequestedFor(urlEqualTo(path))).isEmpty(), Duration.ofSeconds(10),
                    "no callback");
            Thread.sleep(2000);
            assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).as("callback POSTs").hasSize(1);
            assertThat(providers.creates("paypro-ke", ref)).as("dispatch is claimed: one create").hasSize(1);
        }
    }

    @Test
    void redirectsAreNotFollowed_theRedirectIsAFailedAttempt() throws Exception {
        for (int status : List.of(302, 307, 308)) {
            String ref = ref("CBR" + status);
            String path = "/hooks/" + ref;
            String elsewhere = "/elsewhere/" + ref;
            receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                    .withHeader("Location", "http://localhost:" + receiver.port() + elsewhere)));
            receiver.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(urlEqualTo(elsewhere))
                    .willReturn(aResponse().withStatus(200)));
            submitPaid(ref, "http://localhost:" + receiver.port() + path, "0000");
            Gateway.await(() -> !deliveries(ref).isEmpty(), Duration.ofSeconds(20), "no attempt");
            Thread.sleep(300);
            assertThat(receiver.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(urlEqualTo(elsewhere))))
                    .as("requests to where the " + status + " pointed").isEmpty();
            Map<String, Object> first = deliveries(ref).get(0);
            assertThat(first.get("http_status")).isEqualTo(status);
            assertThat(first.get("outcome")).isEqualTo("RETRY");
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    static String ref(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** POSTs a Kenyan payout with the callback URL; the stand-in takes it and its query answers {@code status}. */
    static void submitPaid(String ref, String callbackUrl, String status) throws Exception {
        providers.create("paypro-ke", ref, payproAccepted(ref));
        providers.query("paypro-ke", ref, payproStatus(ref, status, status.equals("0000") ? "SUCCESS" : "REJECTED"));
        HttpResponse<String> r = submit(gateway, kenya(ref, callbackUrl));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(JSON.readTree(r.body()).path("callback_url").asText()).isEqualTo(callbackUrl);
        gateway.awaitState(ref, status.equals("0000") ? PayoutState.SUCCESS : PayoutState.FAILED, Duration.ofSeconds(20));
    }

    static String kenya(String ref, String callbackUrl) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"1500\",\"currency\":\"KES\","
                + "\"mobile\":\"254712345678\"" + (callbackUrl == null ? "" : ",\"callback_url\":\"" + callbackUrl + "\"") + "}";
    }

    static HttpResponse<String> submit(Gateway g, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + g.httpPort + "/api/v1/payouts"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json").header("X-API-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String hmacHex(String key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    static DataSource dataSource() {
        return gateway.context().getRegistry().lookupByNameAndType("payoutDataSource", DataSource.class);
    }

    /** The callback_delivery rows of the payout, by attempt. */
    static List<Map<String, Object>> deliveries(String ref) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT attempt, url, http_status, outcome, error "
                     + "FROM callback_delivery WHERE reference = ? ORDER BY attempt, id")) {
            ps.setString(1, ref);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new HashMap<>();
                    m.put("attempt", rs.getInt("attempt"));
                    m.put("url", rs.getString("url"));
                    m.put("http_status", rs.getObject("http_status") == null ? null : rs.getInt("http_status"));
                    m.put("outcome", rs.getString("outcome"));
                    m.put("error", rs.getString("error"));
                    out.add(m);
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static List<Object> outcomes(String ref) {
        return deliveries(ref).stream().map(m -> m.get("outcome")).toList();
    }

    static String callbackState(String ref) throws Exception {
        try (Connection c = dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT callback_state FROM payout WHERE reference = ?")) {
            ps.setString(1, ref);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
