package org.payoutgateway.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** Calls of a booted gateway's HTTP API with an API client's key, for the API tests. */
public final class ApiCalls {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    public ApiCalls(Gateway gateway) {
        this.port = gateway.httpPort;
    }

    /** POSTs a JSON body (none when empty) with the key in X-API-Key. */
    public HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = request(path, key);
        b = body.isEmpty() ? b.POST(HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path, String key) throws Exception {
        return http.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("X-API-Key", key)
                .timeout(Duration.ofSeconds(15));
    }

    /** A reference no other test uses: the prefix and 10 random hex digits. */
    public static String ref(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** A valid Kenyan instruction (Paypro Kenya: mobile money). */
    public static String kenya(String ref, String amount) {
        return "{\"reference\":\"" + ref + "\",\"country\":\"KE\",\"amount\":\"" + amount
                + "\",\"currency\":\"KES\",\"mobile\":\"254712345678\"}";
    }
}
