package org.payoutgateway.callback;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import javax.sql.DataSource;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * callback_url targets over real HTTP, with the shipped rule that only public addresses are called
 * ({@code payout.webhook.allow-http} on, so that the address is what is judged). Host names resolve
 * through a stand-in DNS (the {@code callbackHostResolver} bean) whose answers a test changes between
 * submit and delivery; the receiver is a stand-in on loopback, which no callback may reach.
 */
class CallbackTargetsApiTest {

    static StandInProviders providers;
    static WireMockServer receiver;
    static Gateway gateway;
    /** host → the answers it gives, in turn; the last one repeats. */
    static final Map<String, List<String>> DNS = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> ASKED = new ConcurrentHashMap<>();

    static InetAddress[] resolve(String host) throws UnknownHostException {
        List<String> answers = DNS.get(host);
        if (answers == null) {
            return InetAddress.getAllByName(host);
        }
        int n = ASKED.computeIfAbsent(host, h -> new AtomicInteger()).getAndIncrement();
        return new InetAddress[] {InetAddress.getByName(answers.get(Math.min(n, answers.size() - 1)))};
    }

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        receiver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        receiver.start();
        receiver.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.keys", SubmitterCallbackTest.KEY);
        s.put("payout.webhook.signing-key", SubmitterCallbackTest.SIGNING_KEY);
        s.put("payout.webhook.allow-http", "true");
        s.put("payout.webhook.retry-backoff", "200ms");
        s.put("payout.webhook.poll-interval-ms", "100");
        Map<String, Object> beans = Map.of(CallbackTargets.RESOLVER_BEAN, (CallbackTargets.HostResolver) CallbackTargetsApiTest::resolve);
        gateway = Gateway.start("callback-targets", s, beans);
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
    void everyNonPublicForm_422NamingCallbackUrl_nothingStored() throws Exception {
        int port = receiver.port();
        List<String> urls = List.of("http://127.0.0.1:" + port + "/", "http://0x7f000001:" + port + "/",
                "http://017700000001:" + port + "/", "http://2130706433:" + port + "/", "http://127.1:" + port + "/",
                "http://[::1]:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/", "http://[::ffff:7f00:1]:" + port + "/",
                "https://good.com@127.0.0.1:" + port + "/", "http://localhost.:" + port + "/", "http://LOCALHOST:" + port + "/",
                "http://127.0.0.1.:" + port + "/", "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.0.1/",
                "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[fc00::1]/",
                "http://[fd00::1]/", "http://224.0.0.1/", "http://[ff02::1]/", "http://255.255.255.255/", "http://0.0.0.0:" + port + "/",
                "http://[::]:" + port + "/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:a9fe:a9fe]/", "http://[::127.0.0.1]/");
        int i = 0;
        for (String url : urls) {
            String ref = SubmitterCallbackTest.ref("T" + i++);
            HttpResponse<String> r = submit(SubmitterCallbackTest.kenya(ref, url));
            assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(422);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            JsonNode errors = SubmitterCallbackTest.JSON.readTree(r.body()).path("errors");
            assertThat(errors).as(url + ": " + r.body()).hasSize(1);
            assertThat(errors.get(0).path("field").asText()).isEqualTo("callback_url");
            assertThat(errors.get(0).path("reason").asText()).as(url).isNotBlank();
            assertThat(gateway.store().find(ref)).as(url).isEmpty();
        }
        assertThat(receiver.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }

    @Test
    void publicAtSubmit_loopbackAtDelivery_notCalled_failedAttemptsWithTheReason() throws Exception {
        String host = "rebind.merchant.test";
        DNS.put(host, List.of("203.0.113.10"));
        String ref = SubmitterCallbackTest.ref("RB");
        String url = "http://" + host + ":" + receiver.port() + "/hooks/" + ref;
        providers.create("paypro-ke", ref, payproAccepted(ref));
        providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
        HttpResponse<String> r = submit(SubmitterCallbackTest.kenya(ref, url));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        // the name now points at this machine
        DNS.put(host, List.of("127.0.0.1"));
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));

        Gateway.await(() -> outcomes(ref).contains("GAVE_UP"), Duration.ofSeconds(20), () -> "never given up: " + deliveries(ref));
        List<Map<String, Object>> rows = deliveries(ref);
        assertThat(rows).extracting(m -> m.get("outcome")).containsExactly("RETRY", "GAVE_UP");
        assertThat(rows).extracting(m -> m.get("http_status")).containsOnlyNulls();
        assertThat(rows).allSatisfy(m -> assertThat((String) m.get("error")).startsWith("target refused")
                .contains(host).contains("127.0.0.1").contains("loopback"));
        assertThat(receiver.findAll(anyRequestedFor(anyUrl()))).as("requests that reached the loopback receiver").isEmpty();
        assertThat(gateway.payout(ref).state()).isEqualTo(PayoutState.SUCCESS);
    }

    @Test
    void answerChangesBetweenTheCheckAndTheConnection_theClientDoesNotConnect() throws Exception {
        // public for the submit and for the check before the delivery, loopback when the client connects
        String host = "flip.merchant.test";
        DNS.put(host, List.of("203.0.113.20", "203.0.113.20", "127.0.0.1"));
        String ref = SubmitterCallbackTest.ref("FL");
        String url = "http://" + host + ":" + receiver.port() + "/hooks/" + ref;
        providers.create("paypro-ke", ref, payproAccepted(ref));
        providers.query("paypro-ke", ref, payproStatus(ref, "0000", "SUCCESS"));
        HttpResponse<String> r = submit(SubmitterCallbackTest.kenya(ref, url));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(20));

        Gateway.await(() -> outcomes(ref).contains("GAVE_UP"), Duration.ofSeconds(20), () -> "never given up: " + deliveries(ref));
        assertThat(ASKED.get(host).get()).as("lookups: submit, check, connection, check").isGreaterThanOrEqualTo(4);
        List<Map<String, Object>> rows = deliveries(ref);
        assertThat(rows).extracting(m -> m.get("http_status")).containsOnlyNulls();
        assertThat(rows).allSatisfy(m -> assertThat((String) m.get("error")).startsWith("target refused")
                .contains("127.0.0.1").contains("loopback"));
        assertThat(receiver.findAll(anyRequestedFor(anyUrl()))).as("requests that reached the loopback receiver").isEmpty();
    }

    @Test
    void publicTarget_takenAtSubmit() throws Exception {
        String host = "hooks.merchant.test";
        DNS.put(host, List.of("198.51.100.7"));
        String ref = SubmitterCallbackTest.ref("OK");
        HttpResponse<String> r = submit(SubmitterCallbackTest.kenya(ref,
                "https://HOOKS.merchant.test./payouts?token=1"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> submit(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort + "/api/v1/payouts"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .header("X-API-Key", SubmitterCallbackTest.KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The callback_delivery rows of the payout, by attempt. */
    static List<Map<String, Object>> deliveries(String ref) {
        List<Map<String, Object>> out = new ArrayList<>();
        DataSource ds = gateway.context().getRegistry().lookupByNameAndType("payoutDataSource", DataSource.class);
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT attempt, http_status, outcome, error "
                     + "FROM callback_delivery WHERE reference = ? ORDER BY attempt, id")) {
            ps.setString(1, ref);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new HashMap<>();
                    m.put("attempt", rs.getInt("attempt"));
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
}
