package org.payoutgateway.provider;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Puts a {@link ProviderRequest} on a Camel exchange for the {@code http} producer of the routes,
 * and reads the reply, or the transport failure, back.
 */
public final class ProviderCalls {

    private ProviderCalls() {
    }

    /** Replaces the message with the request: no other header reaches the provider. */
    public static void toExchange(ProviderRequest request, Exchange exchange) {
        Message in = exchange.getIn();
        in.removeHeaders("*");
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            in.setHeader(h.getKey(), h.getValue());
        }
        in.setHeader(Exchange.HTTP_URI, request.url());
        // the HTTP component's own type: a String would be converted on every call by a slow fallback lookup
        in.setHeader(Exchange.HTTP_METHOD, org.apache.camel.component.http.HttpMethods.valueOf(request.method()));
        in.setBody(request.body());
    }

    public static int httpStatus(Exchange exchange) {
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return code == null ? 0 : code;
    }

    public static String body(Exchange exchange) {
        return exchange.getMessage().getBody(String.class);
    }

    /**
     * A call that failed in transport. Only a failure to connect at all (refused, no route, unknown
     * host, connect timeout, no pooled connection) proves nothing was sent: {@code NOT_TAKEN}. Any
     * failure after connecting (read timeout, connection dropped, broken reply) is {@code UNKNOWN}.
     */
    public static ProviderReply transportFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || type.equals("org.apache.hc.client5.http.ConnectTimeoutException")
                    || type.equals("org.apache.hc.core5.http.ConnectionRequestTimeoutException")
                    || type.equals("org.apache.hc.client5.http.ConnectionRequestTimeoutException")) {
                return ProviderReply.notTaken("not sent: " + describe(t));
            }
        }
        return ProviderReply.unknown("no reply after sending: " + describe(failure));
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }
}
