package org.payoutgateway.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One payout order a simulator accepted. Its state is never stored: it is computed from the clock,
 * {@link #stateAt(Instant)}, so a query after {@link #settlesAt} sees the final state without any
 * timer having run.
 *
 * @param reference  the merchant's reference: Paypro {@code tradeNo}, DiamondPay {@code payout_cl_id}
 * @param providerId the simulated provider's own id: Paypro {@code platFormTradeNo} (Kenya
 *                   {@code serialNumber}), DiamondPay {@code payout_id}
 * @param request    the create request body as received, JSON types kept (amounts are echoed from it)
 * @param createdAt  when the create request was accepted
 * @param settlesAt  {@code createdAt} + {@code payout.sandbox.settle-after}
 * @param failing    whether the order settles as failed (the beneficiary account number, or Kenya's
 *                   mobile, ends with {@link Simulator#FAILING_SUFFIX}); otherwise it succeeds
 */
record SandboxOrder(String reference, String providerId, ObjectNode request, Instant createdAt, Instant settlesAt,
                    boolean failing) {

    /** The order's life: processing until it settles, then paid or not. */
    enum State {
        PROCESSING, SUCCESS, FAILED
    }

    /** The state as a query at {@code now} sees it. */
    State stateAt(Instant now) {
        return now.isBefore(settlesAt) ? State.PROCESSING : finalState();
    }

    /** The state the order settles in. */
    State finalState() {
        return failing ? State.FAILED : State.SUCCESS;
    }
}
