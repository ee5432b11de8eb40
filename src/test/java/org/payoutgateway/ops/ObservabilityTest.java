package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproOuter;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/** /observe/health and /observe/metrics report what they claim, on the running application. */
class ObservabilityTest {

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthAndMetricsReportTheGateway() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.metrics.refresh-interval-ms", "300");
            try (Gateway gateway = Gateway.start("observe", s)) {
                String base = "http://localhost:" + gateway.managementPort + "/observe";
                // ready once the store answers and every intake consumer has polled
                Gateway.await(() -> {
                    try {
                        return get(base + "/health/ready").statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(15), "never ready");
                JsonNode health = new ObjectMapper().readTree(get(base + "/health").body());
                assertThat(health.path("status").asText()).isEqualTo("UP");
                assertThat(health.toString()).contains("payout-store").contains("file-intake").contains("erp-intake")
                        .contains("provider-account-paypro-id").contains("provider-account-paypro-ke")
                        .contains("provider-account-paypro-pk").contains("provider-account-diamondpay-id");
                assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);

                providers.create("paypro-ke", "OBS-1", payproAccepted("OBS-1"));
                providers.query("paypro-ke", "OBS-1", payproStatus("OBS-1", "0000", "SUCCESS"));
                providers.create("paypro-ke", "OBS-2", payproOuter("5000", "contact support"));
                providers.query("paypro-ke", "OBS-2", aResponse503());
                providers.create("paypro-ke", "OBS-4", payproAccepted("OBS-4"));
                providers.query("paypro-ke", "OBS-4", payproStatus("OBS-4", "0015", "PROCESSING"));
                gateway.drop("observe.csv", "reference,country,amount,currency,mobile\n"
                        + "OBS-1,KE,100,KES,254712345678\nOBS-2,KE,100,KES,254712345678\nOBS-3,KE,1.5,KES,254712345678\n"
                        + "OBS-4,KE,100,KES,254712345678\n");
                gateway.awaitState("OBS-1", PayoutState.SUCCESS, Duration.ofSeconds(20));
                gateway.awaitState("OBS-2", PayoutState.UNKNOWN, Duration.ofSeconds(20));
                gateway.awaitState("OBS-4", PayoutState.SUBMITTED, Duration.ofSeconds(20));
                // the oldest SUBMITTED payout ages while it is queried every second ("still processing")
                Gateway.await(() -> providers.queries("paypro-ke", "OBS-4") >= 3, Duration.ofSeconds(15),
                        "OBS-4 was not queried three times");
                Thread.sleep(700); // a metrics refresh
                java.util.regex.Matcher age = java.util.regex.Pattern.compile(
                        "payouts_oldest_age_seconds\\{state=\"SUBMITTED\"} (\\d+)").matcher(get(base + "/metrics").body());
                assertThat(age.find()).isTrue();
                assertThat(Integer.parseInt(age.group(1))).as("age of the oldest SUBMITTED payout, queried 3 times")
                        .isGreaterThanOrEqualTo(3);

                String metrics = get(base + "/metrics").body();
                assertThat(metrics).containsPattern("payouts_count\\{state=\"SUBMITTED\"} 1\\.0");
                assertThat(metrics).containsPattern("payouts_oldest_age_seconds\\{state=\"UNKNOWN\"} [1-9]");
                assertThat(metrics).containsPattern("payouts\\{[^}]*account=\"paypro-ke\"[^}]*intake=\"FILE\"[^}]*state=\"SUCCESS\"[^}]*} 1\\.0");
                assertThat(metrics).containsPattern("payouts\\{[^}]*state=\"UNKNOWN\"[^}]*} 1\\.0");
                assertThat(metrics).containsPattern("payouts_count\\{state=\"UNKNOWN\"} 1\\.0");
                assertThat(metrics).containsPattern("payouts_oldest_age_seconds\\{state=\"UNKNOWN\"} \\d");
                assertThat(metrics).containsPattern("provider_calls_seconds_count\\{account=\"paypro-ke\",call=\"create\",outcome=\"PROCESSING\"} 2(\\.0)?\\b");
                assertThat(metrics).containsPattern("provider_calls_seconds_count\\{account=\"paypro-ke\",call=\"create\",outcome=\"UNKNOWN\"} 1(\\.0)?\\b");
                assertThat(metrics).containsPattern("provider_calls_seconds_count\\{account=\"paypro-ke\",call=\"query\",outcome=\"SUCCESS\"} 1(\\.0)?\\b");
                assertThat(metrics).containsPattern("payout_file_rows_total\\{outcome=\"ACCEPTED\"} 3\\.0");
                assertThat(metrics).containsPattern("payout_file_rows_total\\{outcome=\"REJECTED\"} 1\\.0");
            }
        }
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder aResponse503() {
        return com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503);
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
