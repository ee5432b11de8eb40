package org.payoutgateway.provider;

/** How an HTTP status alone classifies a provider reply, before its body is read. */
public final class HttpReplies {

    private HttpReplies() {
    }

    /**
     * HTTP 429 means the provider did not take the request: send again later with the same
     * reference. Any other non-2xx status (5xx above all) leaves the outcome unknown: the request
     * may have been acted on. Returns null for 2xx, whose body decides.
     */
    public static ProviderReply classify(int httpStatus) {
        if (httpStatus >= 200 && httpStatus < 300) {
            return null;
        }
        if (httpStatus == 429) {
            return ProviderReply.notTaken("HTTP 429 Too Many Requests: not taken, will be sent again");
        }
        return ProviderReply.unknown("HTTP " + httpStatus + " from provider: outcome not known");
    }
}
