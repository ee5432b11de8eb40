package org.payoutgateway.query;

import java.time.Duration;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.payoutgateway.payout.GroupCommit;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutOutcomes;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.ops.PayoutMetrics;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.AccountGuards;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderCalls;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Status queries, as called by {@code routes/status-query.yaml}: every SUBMITTED and UNKNOWN payout
 * whose next query is due is asked about by its reference (taken by its account's lane,
 * {@link org.payoutgateway.dispatch.AccountLanes}), and moved by the answer as soon as it is read.
 */
public class StatusQueries {

    private static final Logger LOG = LoggerFactory.getLogger(StatusQueries.class);
    public static final String PAYOUT = "payout";
    /** Exchange property: the query was asked for by a notify, outside the payout's schedule. */
    public static final String UNSCHEDULED = "unscheduledQuery";

    private final PayoutStore store;
    private final ProviderAccounts accounts;
    private final PayoutOutcomes outcomes;
    private final Duration sendingLease;
    private final PayoutMetrics metrics;
    private static final String STARTED = "callStartedNanos";
    private static final String LATENCY_MILLIS = "callLatencyMillis";
    private final AccountGuards guards;
    private final GroupCommit<PayoutOutcomes.QueryResult> replies;

    /**
     * @param sendingLease how long a payout may stay SENDING before its dispatcher is taken for dead
     *                     and the payout becomes UNKNOWN (longer than the HTTP timeouts)
     * @param replies      records query answers as they come ({@link PayoutOutcomes#afterQueries})
     */
    public StatusQueries(PayoutStore store, ProviderAccounts accounts, PayoutOutcomes outcomes, PayoutMetrics metrics,
                         AccountGuards guards, Duration sendingLease, GroupCommit<PayoutOutcomes.QueryResult> replies) {
        this.guards = guards;
        this.metrics = metrics;
        this.store = store;
        this.accounts = accounts;
        this.outcomes = outcomes;
        this.sendingLease = sendingLease;
        this.replies = replies;
    }

    /** Recovers interrupted dispatches: payouts SENDING for longer than the lease become UNKNOWN, to be queried. */
    public int expireInterrupted() {
        int expired = store.expireSending(sendingLease);
        if (expired > 0) {
            LOG.warn("{} payout(s) were left SENDING by an interrupted dispatch: now UNKNOWN, to be queried", expired);
        }
        return expired;
    }

    /**
     * Takes the payout in the body (a {@link Payout}, or a reference when a notify asks for a query
     * now); sets {@link #PAYOUT} and {@code payoutAccount} only if it still needs a query and its
     * account is configured (a payout of an account no longer configured waits until it is back).
     */
    public void load(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        exchange.setProperty(UNSCHEDULED, !(body instanceof Payout));
        Optional<Payout> p = body instanceof Payout payout ? Optional.of(payout) : store.find(String.valueOf(body));
        p.filter(x -> x.state() == PayoutState.SUBMITTED || x.state() == PayoutState.UNKNOWN)
                .filter(x -> accounts.find(x.account()).isPresent())
                .ifPresent(x -> {
                    exchange.setProperty(PAYOUT, x);
                    exchange.setProperty(org.payoutgateway.dispatch.Dispatcher.ACCOUNT, x.account());
                });
    }

    /**
     * Puts the signed query on the exchange once the account's rate and concurrency limits let it
     * through (the circuit breaker never holds queries back: they tell when the provider is back);
     * otherwise sets {@link Dispatcher#HELD_BACK}, gives its query claim back, and the payout is asked
     * about on a later run.
     */
    public void prepareQuery(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        if (!guards.enter(p.account(), false)) {
            exchange.setProperty(org.payoutgateway.dispatch.Dispatcher.HELD_BACK, true);
            if (!Boolean.TRUE.equals(exchange.getProperty(UNSCHEDULED, Boolean.class))) {
                store.releaseQueryClaims(java.util.List.of(p.reference())); // due again at once
            }
            return;
        }
        ProviderCalls.toExchange(connector(p).queryRequest(p, store.now()), exchange);
        exchange.setProperty(STARTED, System.nanoTime());
    }

    private ProviderReply timed(Exchange exchange, Payout p, ProviderReply reply) {
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            long nanos = System.nanoTime() - started;
            guards.leave(p.account(), false, reply.outcome(), nanos);
            metrics.providerCall(p.account(), "query", reply.outcome(), nanos);
            exchange.setProperty(LATENCY_MILLIS, nanos / 1_000_000);
        }
        return reply;
    }

    /**
     * Reads the provider's answer: the body becomes a {@link PayoutOutcomes.QueryResult}, recorded
     * by {@link #record}. A query asked for by a notify (which anyone could have
     * sent) is applied at once and does not spend the payout's query schedule.
     */
    public Object onQueryReply(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        ProviderConnector c = connector(p);
        ProviderReply reply = timed(exchange, p,
                c.readQueryReply(p.reference(), ProviderCalls.httpStatus(exchange), ProviderCalls.body(exchange)));
        PayoutOutcomes.QueryResult result = new PayoutOutcomes.QueryResult(p, c, reply,
                exchange.getProperty(LATENCY_MILLIS, Long.class));
        if (Boolean.TRUE.equals(exchange.getProperty(UNSCHEDULED, Boolean.class))) {
            outcomes.afterNotifyQuery(result);
            return null;
        }
        return result;
    }

    /** A query that failed in transport tells nothing: the payout keeps its state and is asked again later. */
    public Object onQueryFailure(Exchange exchange) {
        Payout p = exchange.getProperty(PAYOUT, Payout.class);
        if (Boolean.TRUE.equals(exchange.getProperty(UNSCHEDULED, Boolean.class))) {
            return null;
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = timed(exchange, p, ProviderCalls.transportFailure(failure)).message();
        return new PayoutOutcomes.QueryResult(p, connector(p), ProviderReply.unknown("status query failed: " + message),
                exchange.getProperty(LATENCY_MILLIS, Long.class));
    }

    /**
     * Records what the provider answered for one payout (the body: a {@link PayoutOutcomes.QueryResult}):
     * hands it to the group commit and returns at once, the commit's future in the exchange property
     * {@link org.payoutgateway.dispatch.Dispatcher#RECORDED} (the lane asks nothing more about the
     * payout before it completes); anything else (a query held back, or applied at once for a
     * notify) records nothing.
     */
    public void record(Object result, Exchange exchange) {
        if (result instanceof PayoutOutcomes.QueryResult r) {
            exchange.setProperty(org.payoutgateway.dispatch.Dispatcher.RECORDED, replies.submit(r));
        }
    }

    private ProviderConnector connector(Payout p) {
        return accounts.get(p.account());
    }
}
