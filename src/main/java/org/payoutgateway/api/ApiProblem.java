package org.payoutgateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.camel.Exchange;
import org.payoutgateway.payout.FieldError;
import org.payoutgateway.provider.Json;

/** RFC 9457 problem details ({@code application/problem+json}) for the API's error replies. */
public final class ApiProblem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private ApiProblem() {
    }

    public static ObjectNode of(int status, String title, String detail) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("type", "about:blank");
        p.put("title", title);
        p.put("status", status);
        if (detail != null) {
            p.put("detail", detail);
        }
        return p;
    }

    /** 422: one entry per field and reason. */
    public static ObjectNode invalid(List<FieldError> errors) {
        ObjectNode p = of(422, "Invalid payout instruction", FieldError.describe(errors));
        ArrayNode list = p.putArray("errors");
        for (FieldError e : errors) {
            list.addObject().put("field", e.field()).put("reason", e.reason());
        }
        return p;
    }

    /** Ends the exchange with the problem as the reply. */
    public static void reply(Exchange exchange, ObjectNode problem) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.get("status").asInt());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, MEDIA_TYPE);
        exchange.getMessage().setBody(problem.toString());
    }
}
