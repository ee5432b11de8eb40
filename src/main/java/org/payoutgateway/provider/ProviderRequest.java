package org.payoutgateway.provider;

import java.util.Map;

/** One HTTP request to a provider, ready to send: method, full URL, headers and JSON body (null for GET). */
public record ProviderRequest(String method, String url, Map<String, String> headers, String body) {
}
