package org.payoutgateway.payout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.payoutgateway.payout.PayoutStore.Change;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The money-safety rules: what a provider's answer does to a payout's state. Whatever cannot be
 * known becomes {@code UNKNOWN} and is queried with the same reference; time alone never fails a
 * payout; a payout is sent again only when nothing was taken, or when the provider says, after a
 * grace period, that it has no order under that reference.
 */
public class PayoutOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(PayoutOutcomes.class);

    private final PayoutStore store;
    private final List<Duration> dispatchRetryBackoff;

    /** @param dispatchRetryBackoff delays before sending again after "not taken" (n-th retry, last repeats) */
    public PayoutOutcomes(PayoutStore store, List<Duration> dispatchRetryBackoff) {
        this.store = store;
        this.dispatchRetryBackoff = dispatchRetryBackoff;
    }

    /** What a create call to a provider gave for one SENDING payout. */
    /** What a create call gave for one payout; {@code latencyMillis} null when the call was not timed. */
    public record CreateResult(Payout payout, ProviderConnector connector, ProviderReply reply, Long latencyMillis) {
        public CreateResult(Payout payout, ProviderConnector connector, ProviderReply reply) {
            this(payout, connector, reply, null);
        }
    }

    /** Applies the reply to a create call to a payout in {@code SENDING}. */
    public void afterCreate(Payout p, ProviderConnector connector, ProviderReply reply) {
        afterCreates(List.of(new CreateResult(p, connector, reply)));
    }

    /** Applies the replies of a batch of create calls, with one commit. */
    public void afterCreates(List<CreateResult> results) {
        List<PayoutStore.Transition> transitions = new java.util.ArrayList<>(results.size());
        List<PayoutStore.ProviderCall> calls = new java.util.ArrayList<>(results.size());
        for (CreateResult r : results) {
            transitions.add(new PayoutStore.Transition(r.payout(), createChange(r.payout(), r.connector(), r.reply())));
            call(calls, r.payout(), "CREATE", r.reply(), r.latencyMillis());
        }
        applyAll(transitions, calls);
    }

    /**
     * Applies the answer of a status query that a notify asked for as a verified notify would be
     * applied (it spends none of the payout's query schedule), and keeps the call for its story.
     */
    public boolean afterNotifyQuery(QueryResult r) {
        boolean changed = afterNotify(r.payout(), r.connector(), r.reply());
        List<PayoutStore.ProviderCall> calls = new java.util.ArrayList<>(1);
        call(calls, r.payout(), "QUERY", r.reply(), r.latencyMillis());
        store.transitionAll(List.of(), calls);
        return changed;
    }

    /** A call the guards held back was never made: it is no provider call. */
    private static void call(List<PayoutStore.ProviderCall> calls, Payout p, String kind, ProviderReply reply, Long latency) {
        if (reply.outcome() != ProviderReply.Outcome.HELD_BACK) {
            calls.add(new PayoutStore.ProviderCall(p.reference(), p.account(), kind, latency, reply.outcome().name(),
                    reply.providerStatus(), reply.message()));
        }
    }

    private Change createChange(Payout p, ProviderConnector connector, ProviderReply reply) {
        Instant now = store.now();
        Instant firstQuery = now.plus(connector.querySchedule().get(0));
        Change change = switch (reply.outcome()) {
            case PROCESSING -> Change.to(PayoutState.SUBMITTED).nextActionAt(firstQuery).queryCount(0);
            case SUCCESS -> Change.to(PayoutState.SUCCESS).noNextAction();
            case FAILED -> p.resend()
                    // a re-send refused may be the provider refusing a reference it already has
                    ? Change.to(PayoutState.UNKNOWN).nextActionAt(firstQuery).unknownSince(now)
                    : Change.to(PayoutState.FAILED).noNextAction();
            case NOT_TAKEN -> Change.to(PayoutState.RECEIVED).nextActionAt(now.plus(retryDelay(p.dispatchCount())));
            // not an attempt: its claim is taken back (the dispatcher claims nothing of an open circuit)
            case HELD_BACK -> Change.to(PayoutState.RECEIVED).nextActionAt(now).dispatchCount(p.dispatchCount() - 1);
            case UNKNOWN, NOT_FOUND -> Change.to(PayoutState.UNKNOWN).nextActionAt(firstQuery).unknownSince(now).queryCount(0);
        };
        return change.providerReference(reply.providerReference()).providerStatus(reply.providerStatus())
                .message(reply.message());
    }

    /** What a status query gave for one payout. */
    public record QueryResult(Payout payout, ProviderConnector connector, ProviderReply reply, Long latencyMillis) {
        public QueryResult(Payout payout, ProviderConnector connector, ProviderReply reply) {
            this(payout, connector, reply, null);
        }
    }

    /**
     * Applies the answer of a status query to a SUBMITTED or UNKNOWN payout, and schedules the
     * next query while it is not final.
     */
    public void afterQuery(Payout p, ProviderConnector connector, ProviderReply reply) {
        afterQueries(List.of(new QueryResult(p, connector, reply)));
    }

    /** Applies the answers of a batch of status queries, with one commit. */
    public void afterQueries(List<QueryResult> results) {
        List<PayoutStore.Transition> transitions = new java.util.ArrayList<>(results.size());
        List<PayoutStore.ProviderCall> calls = new java.util.ArrayList<>(results.size());
        for (QueryResult r : results) {
            transitions.add(new PayoutStore.Transition(r.payout(), queryChange(r.payout(), r.connector(), r.reply())));
            call(calls, r.payout(), "QUERY", r.reply(), r.latencyMillis());
        }
        applyAll(transitions, calls);
    }

    private Change queryChange(Payout p, ProviderConnector connector, ProviderReply reply) {
        Instant now = store.now();
        List<Duration> schedule = connector.querySchedule();
        int queries = p.queryCount() + 1;
        Instant next = now.plus(schedule.get(Math.min(queries, schedule.size() - 1)));
        boolean scheduleRunOut = queries >= schedule.size();
        Change change = switch (reply.outcome()) {
            case SUCCESS -> Change.to(PayoutState.SUCCESS).noNextAction();
            case FAILED -> Change.to(PayoutState.FAILED).noNextAction();
            case PROCESSING -> Change.to(PayoutState.SUBMITTED).nextActionAt(next);
            case NOT_FOUND -> notFound(p, connector, now, next);
            case UNKNOWN, NOT_TAKEN, HELD_BACK -> Change.to(p.state()).nextActionAt(next);
        };
        if (!change.target().isFinal() && change.target() != PayoutState.RECEIVED) {
            change.queryCount(queries);
            if (scheduleRunOut && !p.needsAttention()) {
                change.needsAttention(true);
                LOG.warn("Payout {} [{}] still {} after {} status queries: needs attention (queries go on every {})",
                        p.reference(), p.account(), change.target(), queries, schedule.get(schedule.size() - 1));
            }
        }
        return change.providerReference(reply.providerReference()).providerStatus(reply.providerStatus())
                .message(reply.message());
    }

    /**
     * Applies a verified provider notify: a final outcome finishes the payout; "processing" tells
     * that an UNKNOWN payout was taken (SUBMITTED); anything else changes nothing. A final payout
     * never moves again, so duplicate and out-of-order notifies are harmless.
     *
     * @return whether the payout changed
     */
    public boolean afterNotify(Payout p, ProviderConnector connector, ProviderReply reply) {
        Change change = switch (reply.outcome()) {
            case SUCCESS -> Change.to(PayoutState.SUCCESS).noNextAction();
            case FAILED -> Change.to(PayoutState.FAILED).noNextAction();
            case PROCESSING -> p.state() == PayoutState.UNKNOWN
                    ? Change.to(PayoutState.SUBMITTED).nextActionAt(store.now().plus(connector.querySchedule().get(0)))
                    : null;
            default -> null;
        };
        if (change == null || p.state().isFinal() || !p.state().canMoveTo(change.target())) {
            return false;
        }
        return apply(p, change.providerReference(reply.providerReference()).providerStatus(reply.providerStatus())
                .message(reply.message() == null ? "notify" : reply.message()));
    }

    private Change notFound(Payout p, ProviderConnector connector, Instant now, Instant next) {
        if (p.state() == PayoutState.UNKNOWN && p.unknownSince() != null
                && !now.isBefore(p.unknownSince().plus(connector.notFoundGrace()))) {
            // the provider never got it: send again under the same reference, never a new one
            return Change.to(PayoutState.RECEIVED).nextActionAt(now).resend(true).queryCount(0).needsAttention(false);
        }
        return Change.to(p.state()).nextActionAt(next);
    }

    private Duration retryDelay(int dispatchCount) {
        return dispatchRetryBackoff.get(Math.min(Math.max(dispatchCount - 1, 0), dispatchRetryBackoff.size() - 1));
    }

    private boolean apply(Payout p, Change change) {
        return applyAll(List.of(new PayoutStore.Transition(p, change)), List.of())[0];
    }

    /** Applies changes in one transaction and logs one line per state change. */
    private boolean[] applyAll(List<PayoutStore.Transition> transitions, List<PayoutStore.ProviderCall> calls) {
        boolean[] applied = store.transitionAll(transitions, calls);
        for (int i = 0; i < applied.length; i++) {
            Payout p = transitions.get(i).current();
            Change change = transitions.get(i).change();
            if (!applied[i]) {
                LOG.debug("Payout {} [{}] moved on before {} could be applied", p.reference(), p.account(), change.target());
            } else if (change.target() != p.state()) {
                PayoutLog.stateChange(p.reference(), p.account(), p.state() + " -> " + change.target()
                        + (change.providerStatus == null ? "" : " (provider status " + change.providerStatus + ")")
                        + (change.message == null ? "" : ": " + change.message));
            }
        }
        return applied;
    }
}
