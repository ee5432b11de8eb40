package org.payoutgateway.payout;

import java.util.List;
import java.util.stream.Collectors;

/** One reason an instruction was rejected: the canonical field name and why. */
public record FieldError(String field, String reason) {

    @Override
    public String toString() {
        return field + ": " + reason;
    }

    /** {@code "amount: must be ...; mobile: must ..."}: the form written to result files and rows. */
    public static String describe(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }
}
