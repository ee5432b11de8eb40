package org.payoutgateway.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.payout.PayoutInstruction;

/**
 * A payout instruction from a JSON object, as the JSON file intake and the HTTP API take it: keys
 * are the canonical field names, values text or numbers ({@code 150000} and {@code "150000"} are the
 * same); unknown keys are ignored.
 */
public final class JsonInstruction {

    /** Longest value accepted in one field. */
    public static final int MAX_FIELD_LENGTH = 1024;

    /**
     * What could be read: the instruction from the usable fields (null when the node is no object),
     * and an error for every field that is not usable. The instruction stands only if there is none.
     */
    public record Parsed(PayoutInstruction instruction, List<FieldError> errors) {
        public boolean ok() {
            return instruction != null && errors.isEmpty();
        }

        /** The errors as one text, {@code "field: reason; ..."}. */
        public String error() {
            return errors.isEmpty() ? null : FieldError.describe(errors);
        }
    }

    private JsonInstruction() {
    }

    public static Parsed read(JsonNode node) {
        if (node == null || !node.isObject()) {
            return new Parsed(null, List.of(new FieldError("instruction", "must be a JSON object of payout fields")));
        }
        Map<String, String> values = new HashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (String field : PayoutInstruction.FIELDS) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                errors.add(new FieldError(field, "must be a text or a number"));
                continue;
            }
            // numbers keep their literal form (floats are read as BigDecimal): 1e9 stays "1E+9" and is refused
            values.put(field, v.asText());
        }
        List<FieldError> tooLong = tooLong(values);
        tooLong.forEach(e -> values.remove(e.field()));
        errors.addAll(tooLong);
        return new Parsed(PayoutInstruction.of(values), List.copyOf(errors));
    }

    /** An error for every field longer than {@link #MAX_FIELD_LENGTH}, in canonical field order. */
    public static List<FieldError> tooLong(Map<String, String> values) {
        List<FieldError> errors = new ArrayList<>();
        for (String field : PayoutInstruction.FIELDS) {
            String v = values.get(field);
            if (v != null && v.length() > MAX_FIELD_LENGTH) {
                errors.add(new FieldError(field, "longer than " + MAX_FIELD_LENGTH + " characters"));
            }
        }
        return errors;
    }
}
