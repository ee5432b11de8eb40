package org.payoutgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.payoutgateway.support.ApiCalls;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * The API's rate limits over real HTTP: a client over its requests a second gets 429 with
 * Retry-After (another client is not held back), and an address past its failed authentications
 * of the minute is refused with 429 even with a right key; both are counted in the metrics.
 * The address block lasts the rest of the minute, so it is tried last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiRateLimitsTest {

    static final String FAST = "fast-client-key";
    static final String SLOW = "slow-client-key";
    static StandInProviders providers;
    static Gateway gateway;
    static HttpClient http;
    static ApiCalls api;

    @BeforeAll
    static void start() throws Exception {
        providers = new StandInProviders();
        Map<String, String> s = new HashMap<>(providers.settings());
        s.put("payout.api.clients", "slow,fast");
        s.put("payout.api.client.slow.keys", SLOW);
        s.put("payout.api.client.slow.roles", "viewer");
        s.put("payout.api.client.slow.rate-limit", "5");
        s.put("payout.api.client.fast.keys", FAST);
        s.put("payout.api.client.fast.roles", "viewer");
        s.put("payout.api.auth-failures-per-minute", "3");
        gateway = Gateway.start("api-rate-limits", s);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
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
    }

    @Test
    @Order(1)
    void aClientOverItsRateGets429WithRetryAfterAndOthersGoOn() throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(get("/api/v1/payouts?size=1", SLOW));
        }
        List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 429));
        assertThat(answers.stream().filter(r -> r.statusCode() == 200).count()).as("within 5 a second").isBetween(5L, 10L);
        assertThat(refused).isNotEmpty().allSatisfy(r -> {
            assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 2L));
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(r.body()).contains("\"status\":429").contains("rate limit");
        });
        assertThat(get("/api/v1/payouts?size=1", FAST).statusCode()).as("another client's rate is its own").isEqualTo(200);
        Thread.sleep(1100);
        assertThat(get("/api/v1/payouts?size=1", SLOW).statusCode()).as("after Retry-After").isEqualTo(200);
        assertThat(metrics()).containsPattern("payout_api_rate_limited_total\\{client=\"slow\"[^}]*\\} [1-9]");
    }

    @Test
    @Order(2)
    void anAddressPastItsFailedAuthenticationsIsRefusedEvenWithARightKey() throws Exception {
        assertThat(get("/api/v1/payouts?size=1", FAST).statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(get("/api/v1/payouts?size=1", "guess-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> blocked = get("/api/v1/payouts?size=1", FAST);
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
        assertThat(blocked.body()).contains("failed authentications");
        assertThat(get("/api/v1/payouts?size=1", "guess-again").statusCode()).as("a guess is not even looked at").isEqualTo(429);
        String m = metrics();
        assertThat(m).containsPattern("payout_api_auth_failures_total\\{reason=\"wrong\"[^}]*\\} 3");
        assertThat(m).containsPattern("payout_api_auth_failures_total\\{reason=\"blocked\"[^}]*\\} [1-9]");
    }

    static String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.managementPort + "/observe/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        return api.get(path, key);
    }
}
