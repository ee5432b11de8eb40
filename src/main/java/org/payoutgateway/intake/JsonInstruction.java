package org.payoutgateway.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import org.payoutgateway.payout.PayoutInstruction;

/**
 * A payout instruction from a JSON object, as the JSON file intake and the HTTP API take it: keys
 * are the canonical field names, values text or numbers ({@code 150000} and {@code "150000"} are the
 * same); unknown keys are ignored.
 */
public final class JsonInstruction {

    /** Longest value accepted in one field. */
    public static final int MAX_FIELD_LENGTH = 1024;

    /** The instruction, or why the object cannot be one (then {@code instruction} is null). */
    public record Parsed(PayoutInstruction instruction, String error) {
    }

    private JsonInstruction() {
    }

    public static Parsed read(JsonNode node) {
        if (node == null || !node.isObject()) {
            return new Parsed(null, "must be a JSON object of payout fields");
        }
        Map<String, String> values = new HashMap<>();
        for (String field : PayoutInstruction.FIELDS) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                return new Parsed(null, field + ": must be a text or a number");
            }
            // numbers keep their literal form (floats are read as BigDecimal): 1e9 stays "1E+9" and is refused
            values.put(field, v.asText());
        }
        String tooLong = tooLong(values);
        return tooLong != null ? new Parsed(null, tooLong) : new Parsed(PayoutInstruction.of(values), null);
    }

    /** The first field longer than {@link #MAX_FIELD_LENGTH}, as an error text; null when none is. */
    public static String tooLong(Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() != null && e.getValue().length() > MAX_FIELD_LENGTH) {
                return e.getKey() + ": longer than " + MAX_FIELD_LENGTH + " characters";
            }
        }
        return null;
    }
}
