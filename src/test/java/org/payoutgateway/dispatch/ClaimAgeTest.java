package org.payoutgateway.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A claim is never used to send once it is older than half the sending lease: with a slow provider
 * and one call at a time, payouts that waited too long in their batch go back to the store and are
 * sent later, each exactly once, and none is ever taken for interrupted.
 */
class ClaimAgeTest {

    @Test
    void aClaimThatWaitedTooLongIsNotSentButGoesBackToTheStore() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
            for (int i = 0; i < 4; i++) {
                String ref = "AGE-" + i;
                providers.server.stubFor(post(urlEqualTo(ke.prefix() + ke.createPath()))
                        .withRequestBody(matchingJsonPath("$.tradeNo", equalTo(ref)))
                        .willReturn(StandInProviders.payproAccepted(ref).withFixedDelay(1200)));
                providers.query("paypro-ke", ref, StandInProviders.payproStatus(ref, "0000", "SUCCESS"));
            }
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.dispatch.sending-lease", "4s");
            s.put("payout.provider.paypro-ke.max-concurrent", "1");
            try (Gateway gateway = Gateway.start("claim-age", s)) {
                gateway.drop("slow.csv", "reference,country,amount,currency,mobile\n"
                        + "AGE-0,KE,100,KES,254712345678\nAGE-1,KE,100,KES,254712345678\n"
                        + "AGE-2,KE,100,KES,254712345678\nAGE-3,KE,100,KES,254712345678\n");
                boolean heldBack = false;
                for (int i = 0; i < 4; i++) {
                    String ref = "AGE-" + i;
                    gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(60));
                    assertThat(providers.creates("paypro-ke", ref)).as(ref).hasSize(1);
                    var history = gateway.store().history(ref);
                    assertThat(history).extracting(HistoryEntry::to).doesNotContain(PayoutState.UNKNOWN, PayoutState.FAILED);
                    heldBack |= history.stream().anyMatch(h -> h.message() != null && h.message().contains("waited too long"));
                }
                assertThat(heldBack).as("at least one claim was too old to send and went back to the store").isTrue();
            }
        }
    }
}
