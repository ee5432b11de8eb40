package org.payoutgateway.payout;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The payout state machine. Every state change goes through {@link #canMoveTo} and is kept as a
 * history row by {@link PayoutStore}.
 *
 * <ul>
 *   <li>{@code RECEIVED}: stored, waiting to be dispatched (or to be dispatched again with the same
 *       reference after the provider said it never saw it). An operator may cancel it (FAILED)
 *       while it has never been sent ({@link OperatorActions#cancel}).</li>
 *   <li>{@code REJECTED}: failed validation, never sent. Final for its intake; a later instruction
 *       with the same reference may replace it, since nothing was ever sent.</li>
 *   <li>{@code SENDING}: claimed by a dispatcher, the create call may be on the wire. A payout found
 *       in this state after a crash becomes {@code UNKNOWN}, never {@code RECEIVED}.</li>
 *   <li>{@code SUBMITTED}: the provider took it; outcome pending.</li>
 *   <li>{@code UNKNOWN}: whether the provider took it is not known; resolved only by querying the
 *       provider with the same reference, never by time alone.</li>
 *   <li>{@code SUCCESS}, {@code FAILED}: final, as the provider reported them, or as an operator
 *       settled an UNKNOWN payout by hand with a second client's approval.</li>
 * </ul>
 */
public enum PayoutState {
    RECEIVED, REJECTED, SENDING, SUBMITTED, UNKNOWN, SUCCESS, FAILED;

    private static final Map<PayoutState, Set<PayoutState>> NEXT = Map.of(
            RECEIVED, EnumSet.of(SENDING, FAILED),
            REJECTED, EnumSet.of(RECEIVED),
            SENDING, EnumSet.of(RECEIVED, SUBMITTED, UNKNOWN, SUCCESS, FAILED),
            SUBMITTED, EnumSet.of(SUBMITTED, UNKNOWN, SUCCESS, FAILED),
            UNKNOWN, EnumSet.of(UNKNOWN, RECEIVED, SUBMITTED, SUCCESS, FAILED),
            SUCCESS, EnumSet.noneOf(PayoutState.class),
            FAILED, EnumSet.noneOf(PayoutState.class));

    public boolean canMoveTo(PayoutState next) {
        return NEXT.get(this).contains(next);
    }

    /** Final for the payout: SUCCESS and FAILED. */
    public boolean isFinal() {
        return this == SUCCESS || this == FAILED;
    }

    /** Final for the intake that delivered it: a rejected instruction is answered too. */
    public boolean isSettledForIntake() {
        return isFinal() || this == REJECTED;
    }
}
