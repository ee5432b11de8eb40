package org.payoutgateway.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Map;

/** The JSON mapper shared by connectors, with the two helpers they all need. */
public final class Json {

    /**
     * Reads JSON floats as BigDecimal with their trailing zeros, so a number keeps the digits it was
     * written with ({@code 1500.0} stays "1500.0", never "1.5E+3"): amounts are read as sent and
     * signatures are checked over what was signed.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            // a key given twice is an error, not "the last one wins": which amount was meant?
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private Json() {
    }

    public static String write(Map<String, Object> fields) {
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body as a JSON object, or null when it is empty, not JSON, or not an object. */
    public static JsonNode readObject(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Every field of an object as the text it was sent as ({@code 100000} as "100000"; a JSON null
     * as null), in name order: what signatures are computed over. Nested values are kept as JSON text.
     */
    public static Map<String, Object> scalars(JsonNode object) {
        Map<String, Object> out = new java.util.TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null
                : e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        return out;
    }

    /** A scalar field as text ({@code 3} and {@code "3"} both give "3"); null when absent, null or not a scalar. */
    public static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.getNodeType() == JsonNodeType.OBJECT || v.getNodeType() == JsonNodeType.ARRAY) {
            return null;
        }
        return v.asText();
    }
}
