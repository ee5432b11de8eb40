package org.payoutgateway.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.payoutgateway.payout.HistoryEntry;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * {@code payout.dispatch.lanes}: how many claimed batches are in flight at once. With one batch of
 * one payout per lane and a provider that answers after 1.5 s, two lanes send the second payout
 * while the first one's call is still open; one lane claims the second only once the first is
 * recorded. Either way each payout is sent exactly once.
 */
class DispatchLanesTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void batchesInFlightAtOnceAreBoundedByTheLanes(int lanes) throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            StandInProviders.Api ke = StandInProviders.APIS.get("paypro-ke");
            List<String> refs = List.of("LANE" + lanes + "-A", "LANE" + lanes + "-B");
            for (String ref : refs) {
                providers.server.stubFor(post(urlEqualTo(ke.prefix() + ke.createPath()))
                        .withRequestBody(matchingJsonPath("$.tradeNo", equalTo(ref)))
                        .willReturn(StandInProviders.payproAccepted(ref).withFixedDelay(1500)));
                providers.query("paypro-ke", ref, StandInProviders.payproStatus(ref, "0000", "SUCCESS"));
            }
            Map<String, String> s = new HashMap<>(providers.settings());
            s.put("payout.dispatch.lanes", String.valueOf(lanes));
            s.put("payout.dispatch.batch-size", "1");
            try (Gateway gateway = Gateway.start("lanes-" + lanes, s)) {
                gateway.drop("lanes.csv", "reference,country,amount,currency,mobile\n"
                        + refs.get(0) + ",KE,100,KES,254712345678\n" + refs.get(1) + ",KE,100,KES,254712345678\n");
                for (String ref : refs) {
                    gateway.awaitState(ref, PayoutState.SUCCESS, Duration.ofSeconds(30));
                    assertThat(providers.creates("paypro-ke", ref)).as(ref).hasSize(1);
                }
                Instant firstClaimed = at(gateway, refs, PayoutState.SENDING, true);
                Instant lastClaimed = at(gateway, refs, PayoutState.SENDING, false);
                Instant firstRecorded = at(gateway, refs, PayoutState.SUBMITTED, true);
                if (lanes == 1) {
                    assertThat(lastClaimed).as("the second batch waits for the first to be recorded")
                            .isAfterOrEqualTo(firstRecorded);
                } else {
                    assertThat(lastClaimed).as("the second batch goes out while the first call is open")
                            .isBefore(firstRecorded);
                    assertThat(Duration.between(firstClaimed, lastClaimed)).isLessThan(Duration.ofMillis(1500));
                }
            }
        }
    }

    /** The earliest (or latest) time one of the payouts entered the state. */
    private static Instant at(Gateway gateway, List<String> refs, PayoutState state, boolean earliest) {
        return refs.stream().flatMap(ref -> gateway.store().history(ref).stream())
                .filter(h -> h.to() == state).map(HistoryEntry::at)
                .reduce((a, b) -> earliest == a.isBefore(b) ? a : b).orElseThrow();
    }
}
