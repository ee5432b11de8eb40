package org.payoutgateway.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.paypro.PayproSignature;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A new Paypro country whose create fields match an existing country's is configuration only
 * (docs/providers.md "Adding a Paypro country"): the worked example there, Tanzania on Kenya's mapping, with
 * its own country, currency, paths, mobile format and minimum amount, routed by
 * {@code payout.routing.TZ}. Its payouts are sent in Kenya's shape (amount a JSON string, query
 * body {tradeNo, sign}) to its own paths, signed with its own secret; the rules it was given are
 * the ones a payout is checked against; Kenya's account is unchanged.
 */
class NewPayproCountryTest {

    private static final String CREATE = "/tanzania-pay/v1/payproTZ/payout";
    private static final String QUERY = "/tanzania-pay/v1/payproTZ/queryPayOutResult";

    @Test
    void aPayproCountryWithKenyasFieldsIsConfigurationOnly() throws Exception {
        WireMockServer tanzania = new WireMockServer(WireMockConfiguration.wireMockConfig().dynamicPort());
        tanzania.start();
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.provider.accounts", "paypro-id,paypro-ke,paypro-pk,diamondpay-id,paypro-tz");
            s.put("payout.routing.TZ", "paypro-tz");
            s.put("payout.provider.paypro-tz.mapping", "paypro-ke");
            s.put("payout.provider.paypro-tz.country", "TZ");
            s.put("payout.provider.paypro-tz.currency", "TZS");
            s.put("payout.provider.paypro-tz.base-url", "http://localhost:" + tanzania.port() + "/tanzania-pay");
            s.put("payout.provider.paypro-tz.create-path", "/v1/payproTZ/payout");
            s.put("payout.provider.paypro-tz.query-path", "/v1/payproTZ/queryPayOutResult");
            s.put("payout.provider.paypro-tz.mobile-pattern", "255[67][0-9]{8}");
            s.put("payout.provider.paypro-tz.min-amount", "1000");
            s.put("payout.provider.paypro-tz.merchant-no", "3000000003");
            s.put("payout.provider.paypro-tz.secret", "tanzania-secret");
            s.put("payout.provider.paypro-tz.query-schedule", "1s");
            tanzania.stubFor(post(CREATE).willReturn(payproAccepted("TZ-1")));
            tanzania.stubFor(post(QUERY).willReturn(payproStatus("TZ-1", "0000", "SUCCESS")));
            providers.create("paypro-ke", "KE-1", payproAccepted("KE-1"));
            providers.query("paypro-ke", "KE-1", payproStatus("KE-1", "0000", "SUCCESS"));

            try (Gateway gateway = Gateway.start("new-country", s)) {
                assertThat(gateway.context().getRoute("provider-create-paypro-tz")).isNotNull();
                assertThat(gateway.context().getRoute("provider-query-paypro-tz")).isNotNull();
                gateway.drop("tanzania.csv", "reference,country,amount,currency,mobile\n"
                        + "TZ-1,TZ,5000,TZS,255712345678\n"
                        + "TZ-KENYAN-MOBILE,TZ,5000,TZS,254712345678\n"
                        + "TZ-TOO-SMALL,TZ,500,TZS,255712345678\n"
                        + "TZ-IN-KES,TZ,5000,KES,255712345678\n"
                        + "KE-1,KE,100,KES,254712345678\n");
                gateway.awaitState("TZ-1", PayoutState.SUCCESS, Duration.ofSeconds(20));
                gateway.awaitState("KE-1", PayoutState.SUCCESS, Duration.ofSeconds(20));
                assertThat(gateway.payout("TZ-1").account()).isEqualTo("paypro-tz");
                assertThat(gateway.payout("KE-1").account()).isEqualTo("paypro-ke");
                assertThat(gateway.awaitState("TZ-KENYAN-MOBILE", PayoutState.REJECTED, Duration.ofSeconds(5)).message())
                        .contains("mobile: must be a mobile number of the form 255[67][0-9]{8}");
                assertThat(gateway.awaitState("TZ-TOO-SMALL", PayoutState.REJECTED, Duration.ofSeconds(5)).message())
                        .contains("amount: must be at least 1000 TZS");
                assertThat(gateway.awaitState("TZ-IN-KES", PayoutState.REJECTED, Duration.ofSeconds(5)).message())
                        .contains("currency: must be TZS for TZ");
            }

            List<LoggedRequest> creates = tanzania.findAll(postRequestedFor(urlEqualTo(CREATE)));
            assertThat(creates).as("one create, only for the valid Tanzanian payout").hasSize(1);
            assertThat(creates.get(0).getHeader("merchantNo")).isEqualTo("3000000003");
            JsonNode create = new ObjectMapper().readTree(creates.get(0).getBodyAsString());
            assertThat(create.get("tradeNo").asText()).isEqualTo("TZ-1");
            assertThat(create.get("amount").isTextual()).as("Kenya's mapping: amount a JSON string").isTrue();
            assertThat(create.get("amount").asText()).isEqualTo("5000");
            assertThat(create.get("mobile").asText()).isEqualTo("255712345678");
            assertThat(create.get("notifyUrl").asText()).endsWith("/notify/paypro-tz");
            assertThat(PayproSignature.verify(fields(create), "tanzania-secret", PayproSignature.SaltPosition.APPEND)).isTrue();

            List<LoggedRequest> queries = tanzania.findAll(postRequestedFor(urlEqualTo(QUERY)));
            assertThat(queries).isNotEmpty();
            JsonNode query = new ObjectMapper().readTree(queries.get(0).getBodyAsString());
            assertThat(fields(query).keySet()).as("Kenya's query body").containsExactly("sign", "tradeNo");

            assertThat(providers.creates("paypro-ke", "KE-1")).hasSize(1);
            assertThat(providers.creates("paypro-ke", "TZ-1")).isEmpty();
        } finally {
            tanzania.stop();
        }
    }

    private static Map<String, Object> fields(JsonNode body) {
        Map<String, Object> fields = new TreeMap<>();
        body.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
        return fields;
    }
}
