package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.payoutgateway.config.Settings;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderReply.Outcome;
import org.payoutgateway.support.Gateway;

/** An account's readiness follows its circuit: DOWN while open and half-open, UP again once closed. */
class ProviderAccountHealthCheckTest {

    @Test
    void readinessIsDownUntilTheTrialCallsCloseTheCircuit() throws Exception {
        Map<String, String> values = Map.of(
                "payout.provider.accounts", "paypro-ke",
                "payout.provider.paypro-ke.base-url", "http://localhost:1/kenya-pay",
                "payout.provider.paypro-ke.merchant-no", "1000000012",
                "payout.provider.paypro-ke.secret", "s",
                "payout.provider.paypro-ke.circuit-breaker.window", "4",
                "payout.provider.paypro-ke.circuit-breaker.min-calls", "4",
                "payout.provider.paypro-ke.circuit-breaker.open-for", "200ms");
        Settings settings = new Settings(k -> Optional.ofNullable(values.get(k)));
        AccountGuards guards = new AccountGuards(new ProviderAccounts(settings), settings);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            ProviderAccountHealthCheck check = new ProviderAccountHealthCheck("paypro-ke", guards, true);
            check.setCamelContext(camel);
            assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);

            for (int i = 0; i < 4; i++) {
                assertThat(guards.enter("paypro-ke", true)).isTrue();
                guards.leave("paypro-ke", true, Outcome.UNKNOWN, 1_000_000);
            }
            HealthCheck.Result open = check.call();
            assertThat(open.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(open.getMessage()).hasValueSatisfying(m -> assertThat(m).startsWith("circuit open"));

            Gateway.await(() -> guards.state("paypro-ke").name().equals("HALF_OPEN"), Duration.ofSeconds(5), "never half-open");
            HealthCheck.Result halfOpen = check.call();
            assertThat(halfOpen.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(halfOpen.getMessage()).hasValueSatisfying(m -> assertThat(m).startsWith("circuit half-open"));

            for (int i = 0; i < 3; i++) { // the trial calls succeed
                assertThat(guards.enter("paypro-ke", true)).isTrue();
                guards.leave("paypro-ke", true, Outcome.PROCESSING, 1_000_000);
            }
            assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
        }
    }
}
