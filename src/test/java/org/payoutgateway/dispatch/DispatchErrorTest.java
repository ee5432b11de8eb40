package org.payoutgateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.payoutgateway.config.Settings;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutInstruction;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderReply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.payoutgateway.ops.PayoutMetrics;
import org.payoutgateway.provider.AccountGuards;

/**
 * An error in one payout's dispatch outside the call's own handling becomes that payout's result
 * (never another payout's): not sent when the call had not started, unknown once it had.
 */
class DispatchErrorTest {

    private final AccountGuards guards;
    private final Dispatcher dispatcher;

    DispatchErrorTest() {
        Map<String, String> s = Map.of("payout.provider.accounts", "paypro-id",
                "payout.provider.paypro-id.base-url", "http://localhost:1/indonesia-pay",
                "payout.provider.paypro-id.merchant-no", "1000000011",
                "payout.provider.paypro-id.secret", "secret");
        Settings settings = new Settings(k -> Optional.ofNullable(s.get(k)));
        ProviderAccounts accounts = new ProviderAccounts(settings);
        guards = new AccountGuards(accounts, settings);
        dispatcher = new Dispatcher(null, accounts, new PayoutMetrics(new SimpleMeterRegistry(), null), guards,
                Duration.ofMinutes(2), null);
    }

    @Test
    void anErrorBeforeTheCallStartedMeansNotSent() {
        PayoutOutcomes.CreateResult r = dispatcher.onDispatchError(failed(payout("paypro-id"), false));
        assertThat(r.reply().outcome()).isEqualTo(ProviderReply.Outcome.NOT_TAKEN);
        assertThat(r.reply().message()).contains("not sent").contains("IllegalStateException: boom");
        assertThat(r.payout().reference()).isEqualTo("ERR-1");
    }

    @Test
    void anErrorOnceTheCallStartedMeansUnknownAndGivesThePermitBack() {
        assertThat(guards.enter("paypro-id", true)).isTrue();
        PayoutOutcomes.CreateResult r = dispatcher.onDispatchError(failed(payout("paypro-id"), true));
        assertThat(r.reply().outcome()).isEqualTo(ProviderReply.Outcome.UNKNOWN);
        assertThat(r.reply().message()).contains("after the call started");
        // the concurrency permit taken for the call was given back
        for (int i = 0; i < guards.maxConcurrent("paypro-id"); i++) {
            assertThat(guards.enter("paypro-id", false)).as("permit " + i).isTrue();
        }
    }

    @Test
    void aPayoutWhoseAccountIsGoneOrUnknownStaysUnrecorded() {
        assertThat(dispatcher.onDispatchError(failed(payout("no-such-account"), false))).isNull();
        assertThat(dispatcher.onDispatchError(failed(null, false))).isNull();
    }

    private static Exchange failed(Payout p, boolean started) {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        if (p != null) {
            e.setProperty(Dispatcher.PAYOUT, p);
        }
        if (started) {
            e.setProperty("callStartedNanos", System.nanoTime());
        }
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("boom"));
        return e;
    }

    private static Payout payout(String account) {
        PayoutInstruction in = new PayoutInstruction("ERR-1", "ID", null, "150000", "IDR", "Budi", "5464438554636", "0002",
                null, "081245907765", "budi@example.com", null, null, null);
        Instant now = Instant.now();
        return new Payout("ERR-1", in, account, "file", "f.csv#1", PayoutState.SENDING, null, null, null,
                1, 0, false, false, null, now, now);
    }
}
