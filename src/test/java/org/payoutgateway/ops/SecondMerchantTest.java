package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.paypro.PayproSignature;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A second Paypro Indonesia merchant is configuration only (docs/providers.md "Adding a provider account"):
 * a new account name with mapping paypro-id, its own base URL and credentials, listed in
 * payout.provider.accounts. Payouts naming it go there, signed with its secret; the country's
 * default account is unchanged.
 */
class SecondMerchantTest {

    @Test
    void aSecondPayproIndonesiaMerchantIsConfigurationOnly() throws Exception {
        WireMockServer second = new WireMockServer(WireMockConfiguration.wireMockConfig().dynamicPort());
        second.start();
        try (StandInProviders providers = new StandInProviders()) {
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.provider.accounts", "paypro-id,paypro-ke,paypro-pk,diamondpay-id,paypro-id-2");
            s.put("payout.provider.paypro-id-2.mapping", "paypro-id");
            s.put("payout.provider.paypro-id-2.base-url", "http://localhost:" + second.port() + "/indonesia-pay");
            s.put("payout.provider.paypro-id-2.merchant-no", "2000000002");
            s.put("payout.provider.paypro-id-2.secret", "second-merchant-secret");
            s.put("payout.provider.paypro-id-2.query-schedule", "1s");
            StandInProviders.Api id = StandInProviders.APIS.get("paypro-id");
            second.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/indonesia-pay" + id.createPath())
                    .willReturn(payproAccepted("SM-2")));
            second.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/indonesia-pay" + id.queryPath())
                    .willReturn(payproStatus("SM-2", "0000", "SUCCESS")));
            providers.create("paypro-id", "SM-1", payproAccepted("SM-1"));
            providers.query("paypro-id", "SM-1", payproStatus("SM-1", "0000", "SUCCESS"));
            try (Gateway gateway = Gateway.start("second-merchant", s)) {
                // its routes are made from the same templates as every account's
                assertThat(gateway.context().getRoute("provider-create-paypro-id-2").getEndpoint().getEndpointUri())
                        .isEqualTo("direct://provider-create-paypro-id-2");
                assertThat(gateway.context().getRoute("provider-query-paypro-id-2")).isNotNull();
                gateway.drop("merchants.csv", "reference,country,provider,amount,currency,beneficiary_name,account_number,"
                        + "bank_code,mobile,email\n"
                        + "SM-1,ID,,150000,IDR,Budi,5464438554636,0002,081245907765,budi@example.com\n"
                        + "SM-2,ID,paypro-id-2,150000,IDR,Siti,1234567890,0008,081298765432,siti@example.com\n");
                gateway.awaitState("SM-1", PayoutState.SUCCESS, Duration.ofSeconds(20));
                gateway.awaitState("SM-2", PayoutState.SUCCESS, Duration.ofSeconds(20));
                assertThat(gateway.payout("SM-2").account()).isEqualTo("paypro-id-2");
                assertThat(gateway.payout("SM-1").account()).isEqualTo("paypro-id");
            }
            List<LoggedRequest> toSecond = second.findAll(com.github.tomakehurst.wiremock.client.WireMock
                    .postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/indonesia-pay" + id.createPath())));
            assertThat(toSecond).hasSize(1);
            assertThat(toSecond.get(0).getHeader("merchantNo")).isEqualTo("2000000002");
            Map<String, Object> fields = new java.util.TreeMap<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(toSecond.get(0).getBodyAsString()).fields()
                    .forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
            assertThat(fields).containsEntry("tradeNo", "SM-2");
            assertThat(PayproSignature.verify(fields, "second-merchant-secret", PayproSignature.SaltPosition.APPEND)).isTrue();
            assertThat(providers.creates("paypro-id", "SM-2")).isEmpty();
            assertThat(providers.creates("paypro-id", "SM-1")).hasSize(1);
        } finally {
            second.stop();
        }
    }
}
