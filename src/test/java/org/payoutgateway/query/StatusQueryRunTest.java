package org.payoutgateway.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.payoutgateway.support.StandInProviders.payproAccepted;
import static org.payoutgateway.support.StandInProviders.payproStatus;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.support.Gateway;
import org.payoutgateway.support.StandInProviders;

/**
 * A status-query run works off a backlog: it takes batch after batch while full batches come back,
 * instead of one batch per trigger (payout.query.batch-size per payout.query.cron would otherwise
 * cap how many payouts per second can reach their final state).
 */
class StatusQueryRunTest {

    @Test
    void oneRunQueriesBatchAfterBatchUntilNoneIsDue() throws Exception {
        try (StandInProviders providers = new StandInProviders()) {
            List<String> refs = IntStream.rangeClosed(1, 12).mapToObj(i -> "QR-" + i).toList();
            for (String ref : refs) {
                providers.create("paypro-id", ref, payproAccepted(ref));
                providers.query("paypro-id", ref, payproStatus(ref, "0000", "SUCCESS"));
            }
            Map<String, String> s = new HashMap<>(providers.settings());
            // a run every 20 s, 2 payouts per batch: one batch per run would need 6 runs (2 minutes)
            s.put("payout.query.cron", "0/20 * * * * ?");
            s.put("payout.query.batch-size", "2");
            try (Gateway gateway = Gateway.start("query-run", s)) {
                gateway.drop("backlog.csv", "reference,country,amount,currency,beneficiary_name,account_number,bank_code,mobile,email\n"
                        + refs.stream().map(r -> r + ",ID,150000,IDR,Budi,5464438554636,0002,081245907765,budi@example.com")
                                .collect(Collectors.joining("\n")) + "\n");
                for (String ref : refs) {
                    gateway.awaitState(ref, PayoutState.SUBMITTED, Duration.ofSeconds(20));
                }
                // the first run after they are due queries all six batches
                Gateway.await(() -> refs.stream().allMatch(r -> gateway.payout(r).state() == PayoutState.SUCCESS),
                        Duration.ofSeconds(45), () -> "not all final after one run: "
                                + refs.stream().map(r -> r + "=" + gateway.payout(r).state()).toList());
                for (String ref : refs) {
                    assertThat(providers.queries("paypro-id", ref)).as(ref).isEqualTo(1);
                }
            }
        }
    }
}
