package org.payoutgateway.dispatch;

import org.apache.camel.Exchange;
import org.payoutgateway.payout.GroupCommit;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.ops.PayoutMetrics;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderReply;
import org.payoutgateway.provider.ProviderRequest;
import org.payoutgateway.provider.ProviderCalls;
import org.payoutgateway.provider.ProviderConnector;

/**
 * Dispatch, as called by the routes in {@code routes/dispatch.yaml}: a payout claimed by its
 * account's lane ({@link AccountLanes}: RECEIVED → SENDING, committed before any call) is routed to
 * its provider account, sent, and what the provider answered is recorded as soon as it is read
 * ({@link GroupCommit}: grouped with the replies of the same few milliseconds, one commit).
 */
public class Dispatcher {

    /** Exchange property holding the claimed {@link Payout}. */
    public static final String PAYOUT = "payout";
    /** Exchange property holding the payout's account name: what the router routes on. */
    public static final String ACCOUNT = "payoutAccount";
    /** Exchange property: whether {@link #ACCOUNT} is a configured account (its route exists). */
    public static final String ACCOUNT_CONFIGURED = "accountConfigured";

    private final PayoutStore store;
    private final ProviderAccounts accounts;
    private final PayoutMetrics metrics;
    private static final String STARTED = "callStartedNanos";

    private final AccountGuards guards;
    /** Exchange property: the account's guards held the call back (breaker open, limits). */
    public static final String HELD_BACK = "heldBack";

    private final java.time.Duration claimValidFor;
    private final GroupCommit<PayoutOutcomes.CreateResult> replies;

    /**
     * @param sendingLease the lease after which a SENDING payout is taken as interrupted; a claim is
     *                     used for sending only within half of it, so a payout is never sent after
     *                     the status queries may have taken it over
     * @param replies      records create replies as they come ({@link PayoutOutcomes#afterCreates})
     */
    public Dispatcher(PayoutStore store, ProviderAccounts accounts, PayoutMetrics metrics, AccountGuards guards,
                      java.time.Duration sendingLease, GroupCommit<PayoutOutcomes.CreateResult> replies) {
        this.claimValidFor = sendingLease.dividedBy(2);
        this.guards = guards;
        this.store = store;
        this.accounts = accounts;
        this.metrics = metrics;
        this.replies = replies;
    }

    /**
     * Sets the {@link #PAYOUT}, {@link #ACCOUNT} and {@link #ACCOUNT_CONFIGURED} properties from the
     * claimed payout in the body.
     */
    public void route(Exchange exchange) {
        Payout p = exchange.getIn().getBody(Payout.class);
        exchange.setProperty(PAYOUT, p);
        exchange.setProperty(ACCOUNT, p.account());
        exchange.setProperty(ACCOUNT_CONFIGURED, accounts.find(p.account()).isPresent());
    }

    /**
     * Puts the signed create request of the claimed payout on the exchange, once the account's
     * guards let the call through; otherwise sets {@link #HELD_BACK} and nothing is sent.
     */
    public void prepareCreate(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        if (!guards.enter(p.account(), true)) {
            exchange.setProperty(HELD_BACK, true);
            return;
        }
        if (p.updatedAt().plus(claimValidFor).isBefore(store.now())) {
            // the claim waited too long in its lane: not sent, back to the store
            guards.release(p.account());
            exchange.setProperty(HELD_BACK, true);
            return;
        }
        ProviderRequest request;
        try {
            request = connector(p).createRequest(p, store.now());
        } catch (RuntimeException e) {
            guards.release(p.account()); // nothing sent: the permits go back, the error is the payout's (onDispatchError)
            throw e;
        }
        ProviderCalls.toExchange(request, exchange);
        exchange.setProperty(STARTED, System.nanoTime());
    }

    /**
     * A call the guards held back was not made: the payout waits in the store (RECEIVED), due again at
     * once, and the hold does not count as an attempt (no re-send delay grows from it).
     */
    public PayoutOutcomes.CreateResult heldBack(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        return new PayoutOutcomes.CreateResult(p, connector(p), ProviderReply.heldBack("not sent: account "
                + p.account() + " is held back (circuit " + guards.state(p.account())
                + ", rate/concurrency limit, or the claim waited too long in its lane)"));
    }

    /** Reads the provider's reply to the create call: the body becomes a {@link PayoutOutcomes.CreateResult}. */
    public PayoutOutcomes.CreateResult onCreateReply(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        ProviderConnector c = connector(p);
        return timed(exchange, new PayoutOutcomes.CreateResult(p, c,
                c.readCreateReply(ProviderCalls.httpStatus(exchange), ProviderCalls.body(exchange))));
    }

    /** A create call that failed in transport: not taken if it never connected, else unknown. */
    public PayoutOutcomes.CreateResult onCreateFailure(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return timed(exchange, new PayoutOutcomes.CreateResult(p, connector(p), ProviderCalls.transportFailure(failure)));
    }

    /**
     * An error in one payout's dispatch outside the call's own handling: if the create call was
     * not started, nothing was sent (back to RECEIVED, sent later under the same reference); once it
     * was started, the outcome is unknown (queried, never sent again blindly).
     *
     * @return the payout's result, or null when the payout is not known (it stays SENDING and is
     *         queried after the sending lease)
     */
    public PayoutOutcomes.CreateResult onDispatchError(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (p == null || accounts.find(p.account()).isEmpty()) {
            return null;
        }
        String what = failure == null ? "error" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        ProviderReply reply = exchange.getProperty(STARTED) != null
                ? ProviderReply.unknown("dispatch error after the call started: " + what)
                : ProviderReply.notTaken("not sent: dispatch error before the call: " + what);
        return timed(exchange, new PayoutOutcomes.CreateResult(p, connector(p), reply));
    }

    private PayoutOutcomes.CreateResult timed(Exchange exchange, PayoutOutcomes.CreateResult r) {
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            long nanos = System.nanoTime() - started;
            guards.leave(r.payout().account(), true, r.reply().outcome(), nanos);
            metrics.providerCall(r.payout().account(), "create", r.reply().outcome(), nanos);
            return new PayoutOutcomes.CreateResult(r.payout(), r.connector(), r.reply(), nanos / 1_000_000);
        }
        return r;
    }

    /**
     * Records what the provider answered for one payout (the body: a {@link PayoutOutcomes.CreateResult}):
     * hands it to the group commit and returns at once, the commit's future in the exchange property
     * {@link #RECORDED}. The account's concurrency permit was given back when the reply was read, so
     * the lane's thread may make its next call while this reply is committed; the payout itself stays
     * claimed in its lane until the future completes (its lane counts it, and it is SENDING in the
     * store: nothing else is done with it before). Should the gateway stop before the commit, the
     * payout stays SENDING and is resolved by status queries, never sent anew blindly. A null body
     * (payout not known) records nothing.
     */
    public void record(Object result, Exchange exchange) {
        if (result instanceof PayoutOutcomes.CreateResult r) {
            exchange.setProperty(RECORDED, replies.submit(r));
        }
    }

    /** Exchange property: the {@link java.util.concurrent.CompletableFuture} of the reply's commit. */
    public static final String RECORDED = "replyRecorded";

    private ProviderConnector connector(Payout p) {
        return accounts.get(p.account());
    }
}
