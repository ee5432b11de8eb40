package org.payoutgateway.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/** Per-account rate limit, concurrency limit and circuit breaker, on the running application. */
class AccountGuardsTest {

    static String kenyaFile(String prefix, int n) {
        StringBuilder csv = new StringBuilder("reference,country,amount,currency,mobile\n");
        for (int i = 0; i < n; i++) {
            csv.append(prefix).append(i).append(",KE,100,KES,254712345678\n");
        }
        return csv.toString();
    }

    @Test
    void anOpenBreakerKeepsPayoutsInTheStoreAndNoneFails() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
            Map<String, String> s = kenyaDown(providers, "2s");
            s.put("payout.provider.paypro-ke.max-concurrent", "1");
            s.put("payout.dispatch.batch-size", "2");
            // the shipped re-send delays: a payout held back by the breaker must not wait them out
            s.put("payout.dispatch.retry-backoff", "5s,30s,1m,5m");
            try (Gateway gateway = Gateway.start("breaker", s)) {
                gateway.drop("down.csv", kenyaFile("CB-", 20));
                String health = "http://localhost:" + gateway.managementPort + "/observe/health";
                String ready = health + "/ready";
                Gateway.await(() -> body(health).contains("circuit open: payouts for paypro-ke"), Duration.ofSeconds(20),
                        "the breaker never opened");
                assertThat(status(ready)).as("readiness while the circuit is open").isEqualTo(503);
                int creates = providers.server.findAll(com.github.tomakehurst.wiremock.client.WireMock
                        .postRequestedFor(urlEqualTo(ke.prefix() + ke.createPath()))).size();
                assertThat(creates).as("calls made before the breaker opened").isLessThan(20);
                Thread.sleep(500);
                long waiting = java.util.stream.IntStream.range(0, 20)
                        .filter(i -> gateway.payout("CB-" + i).state() == PayoutState.RECEIVED).count();
                assertThat(waiting).as("payouts waiting in the store while the breaker is open").isPositive();

                // the provider comes back: everything goes out and ends SUCCESS, nothing was failed
                providers.server.resetAll();
                for (int i = 0; i < 20; i++) {
                    providers.create("paypro-ke", "CB-" + i, StandInProviders.payproAccepted("CB-" + i));
                    providers.query("paypro-ke", "CB-" + i, StandInProviders.payproStatus("CB-" + i, "0000", "SUCCESS"));
                }
                // within seconds of the breaker's trial calls, not after growing re-send delays
                Gateway.await(() -> java.util.stream.IntStream.range(0, 20)
                        .allMatch(i -> gateway.payout("CB-" + i).state() == PayoutState.SUCCESS), Duration.ofSeconds(25),
                        "not every payout went out soon after the provider came back");
                for (int i = 0; i < 20; i++) {
                    List<HistoryEntry> history = gateway.store().history("CB-" + i);
                    assertThat(history).extracting(HistoryEntry::to).doesNotContain(PayoutState.FAILED);
                    assertThat(providers.creates("paypro-ke", "CB-" + i)).as("accepted creates of CB-" + i).hasSizeLessThanOrEqualTo(1);
                    assertThat(gateway.payout("CB-" + i).dispatchCount()).as("sends of CB-" + i + " (holds are not sends)")
                            .isEqualTo(1);
                }
                Gateway.await(() -> status(ready) == 200, Duration.ofSeconds(10), "readiness never came back");
            }
        }
    }

    /**
     * With {@code payout.health.provider-circuits-in-readiness=false} (the replicas' deployment
     * files): an open circuit shows in {@code /observe/health}, and readiness stays UP.
     */
    @Test
    void withProviderCircuitsOutOfReadinessAnOpenCircuitLeavesTheGatewayReady() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = kenyaDown(providers, "30s");
            s.put("payout.health.provider-circuits-in-readiness", "false");
            try (Gateway gateway = Gateway.start("breaker-not-ready", s)) {
                gateway.drop("down.csv", kenyaFile("CR-", 10));
                String health = "http://localhost:" + gateway.managementPort + "/observe/health";
                Gateway.await(() -> body(health).contains("circuit open: payouts for paypro-ke"), Duration.ofSeconds(20),
                        "the breaker never opened");
                assertThat(status(health)).as("all checks, the open circuit among them").isEqualTo(503);
                assertThat(status(health + "/ready")).as("readiness while the circuit is open").isEqualTo(200);
            }
        }
    }

    @Test
    void rateAndConcurrencyLimitsHoldAtTheProvider() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        List<String> tradeNos = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            if (req.path().contains("queryPayOutResult")) {
                req.response().end("{\"code\":\"0000\",\"data\":{\"status\":\"0000\"}}");
                return;
            }
            arrivals.add(System.nanoTime());
            tradeNos.add(new io.vertx.core.json.JsonObject(b).getString("tradeNo"));
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            vertx.setTimer(150, t -> {
                inFlight.decrementAndGet();
                req.response().putHeader("Content-Type", "application/json")
                        .end("{\"code\":\"0000\",\"data\":{\"status\":\"0015\",\"platFormTradeNo\":\"P\"}}");
            });
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.provider.paypro-ke.base-url", "http://127.0.0.1:" + server.actualPort() + "/kenya-pay");
            s.put("payout.provider.paypro-ke.rate-limit", "10");
            s.put("payout.provider.paypro-ke.max-concurrent", "2");
            try (Gateway gateway = Gateway.start("limits", s)) {
                gateway.drop("limits.csv", kenyaFile("RL-", 40));
                Gateway.await(() -> arrivals.size() >= 40, Duration.ofSeconds(30), () -> "only " + arrivals.size() + " creates");
                // each payout was sent once and none failed: the limits only made them wait
                for (int i = 0; i < 40; i++) {
                    gateway.awaitState("RL-" + i, PayoutState.SUCCESS, Duration.ofSeconds(20));
                    assertThat(gateway.store().history("RL-" + i)).extracting(HistoryEntry::to).doesNotContain(PayoutState.FAILED);
                }
                assertThat(tradeNos).hasSize(40).doesNotHaveDuplicates();
            }
        } finally {
            vertx.close();
        }
        assertThat(maxInFlight.get()).as("concurrent calls").isLessThanOrEqualTo(2).isPositive();
        List<Long> sorted = new ArrayList<>(arrivals);
        Collections.sort(sorted);
        int worstSecond = 0;
        for (int i = 0; i < sorted.size(); i++) {
            int j = i;
            while (j < sorted.size() && sorted.get(j) - sorted.get(i) < 1_000_000_000L) {
                j++;
            }
            worstSecond = Math.max(worstSecond, j - i);
        }
        // a 1 s refresh period lets a burst of up to two periods' permits straddle one window
        assertThat(worstSecond).as("creates in the busiest second").isLessThanOrEqualTo(20);
        double seconds = (sorted.get(sorted.size() - 1) - sorted.get(0)) / 1e9;
        assertThat(seconds).as("40 creates at 10/s take about 3 s or more").isGreaterThanOrEqualTo(2.9);
    }

    /**
     * Kenya's provider is down: every create and query answers 503 (outcome unknown, queried later).
     * Settings for it with a breaker that opens after 4 such calls, for {@code openFor}.
     */
    static Map<String, String> kenyaDown(StandInProviders providers, String openFor) {
        StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
        providers.server.stubFor(post(urlEqualTo(ke.prefix() + ke.createPath())).willReturn(aResponse().withStatus(503)));
        providers.server.stubFor(post(urlEqualTo(ke.prefix() + ke.queryPath())).willReturn(aResponse().withStatus(503)));
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.provider.paypro-ke.circuit-breaker.window", "4");
        s.put("payout.provider.paypro-ke.circuit-breaker.min-calls", "4");
        s.put("payout.provider.paypro-ke.circuit-breaker.open-for", openFor);
        return s;
    }

    static int status(String url) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String body(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }
}
