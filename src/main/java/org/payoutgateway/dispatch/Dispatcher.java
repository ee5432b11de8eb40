package org.payoutgateway.dispatch;

import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderCalls;
import org.payoutgateway.provider.ProviderConnector;

/**
 * Dispatch, as called by the routes in {@code routes/dispatch.yaml}: picks RECEIVED payouts from the
 * store, claims each (RECEIVED → SENDING, committed) just before its create call, and records what
 * the provider answered.
 */
public class Dispatcher {

    /** Exchange property holding the claimed {@link Payout}. */
    public static final String PAYOUT = "payout";
    /** Exchange property holding the payout's account name: what the router routes on. */
    public static final String ACCOUNT = "payoutAccount";

    private final PayoutStore store;
    private final ProviderAccounts accounts;
    private final PayoutOutcomes outcomes;
    private final int batchSize;

    public Dispatcher(PayoutStore store, ProviderAccounts accounts, PayoutOutcomes outcomes, int batchSize) {
        this.store = store;
        this.accounts = accounts;
        this.outcomes = outcomes;
        this.batchSize = batchSize;
    }

    /** References of payouts due for dispatch, at most the configured batch size. */
    public List<String> due() {
        return store.dueForDispatch(batchSize);
    }

    /**
     * Claims the payout whose reference is the body. Sets the {@link #PAYOUT} and {@link #ACCOUNT}
     * properties when claimed; leaves them unset when another dispatcher took it.
     */
    public void claim(Exchange exchange) {
        String reference = exchange.getIn().getBody(String.class);
        Optional<Payout> claimed = store.claimForDispatch(reference);
        claimed.ifPresent(p -> {
            exchange.setProperty(PAYOUT, p);
            exchange.setProperty(ACCOUNT, p.account());
        });
    }

    /** Puts the signed create request of the claimed payout on the exchange. */
    public void prepareCreate(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        ProviderCalls.toExchange(connector(p).createRequest(p, store.now()), exchange);
    }

    /** Records the provider's reply to the create call. */
    public void onCreateReply(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        ProviderConnector c = connector(p);
        outcomes.afterCreate(p, c, c.readCreateReply(ProviderCalls.httpStatus(exchange), ProviderCalls.body(exchange)));
    }

    /** Records a create call that failed in transport: not taken if it never connected, else unknown. */
    public void onCreateFailure(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        outcomes.afterCreate(p, connector(p), ProviderCalls.transportFailure(failure));
    }

    private ProviderConnector connector(Payout p) {
        return accounts.get(p.account());
    }
}
