package org.payoutgateway.payout;

import java.util.List;

/**
 * What the store made of one instruction offered by an intake.
 *
 * @param outcome  ACCEPTED (stored RECEIVED, will be dispatched), REJECTED (failed validation,
 *                 never sent) or DUPLICATE (the reference is already known; nothing stored or sent)
 * @param errors   the validation errors of a REJECTED instruction
 * @param existing the payout already stored under the reference, for DUPLICATE
 * @param sameContent for DUPLICATE: whether the offered instruction equals the stored one
 */
public record Admission(Outcome outcome, String reference, List<FieldError> errors, Payout existing,
                        boolean sameContent, String message) {

    public enum Outcome { ACCEPTED, REJECTED, DUPLICATE }

    static Admission accepted(String reference) {
        return new Admission(Outcome.ACCEPTED, reference, List.of(), null, false, null);
    }

    static Admission rejected(String reference, List<FieldError> errors) {
        return new Admission(Outcome.REJECTED, reference, errors, null, false, FieldError.describe(errors));
    }

    static Admission duplicate(String reference, Payout existing, boolean sameContent, String message) {
        return new Admission(Outcome.DUPLICATE, reference, List.of(), existing, sameContent, message);
    }
}
