package org.payoutgateway.ops;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.payoutgateway.provider.AccountGuards;

/**
 * Readiness of one provider account: DOWN while its circuit breaker is open (payouts for it wait in
 * the store; the intakes go on taking them) and while it is half-open (trial calls have not yet
 * shown the provider back, so readiness does not flip UP and DOWN every open period), UP once it
 * is closed; the state is in the details. With {@code payout.health.provider-circuits-in-readiness=false}
 * it is reported in {@code /observe/health} only, not in readiness: replicas behind a load balancer
 * then stay in service while a provider is down (each would still take payouts).
 */
public class ProviderAccountHealthCheck extends AbstractHealthCheck {

    private final String account;
    private final AccountGuards guards;
    private final boolean inReadiness;

    /** @param inReadiness whether the check is part of readiness ({@code payout.health.provider-circuits-in-readiness}) */
    public ProviderAccountHealthCheck(String account, AccountGuards guards, boolean inReadiness) {
        super("payout", "provider-account-" + account);
        this.account = account;
        this.guards = guards;
        this.inReadiness = inReadiness;
    }

    /** {@code payout.health.provider-circuits-in-readiness}, default true. */
    public static boolean inReadiness(org.payoutgateway.config.Settings settings) {
        return settings.getBoolean("payout.health.provider-circuits-in-readiness", true);
    }

    @Override
    public boolean isReadiness() {
        return inReadiness;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String state = guards.state(account).name();
        builder.detail("account", account).detail("circuit", state);
        if (state.equals("OPEN")) {
            builder.message("circuit open: payouts for " + account + " wait in the store").down();
        } else if (state.equals("HALF_OPEN")) {
            builder.message("circuit half-open: trial calls to " + account + " decide whether it closes").down();
        } else {
            builder.up();
        }
    }
}
