package org.payoutgateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.junit.jupiter.api.Test;
import org.payoutgateway.support.Gateway;

/**
 * The provider endpoints' connection pools hold at least the accounts' max-concurrent together: four
 * accounts of 40 on one host (a provider's accounts share its host) would otherwise wait for each
 * other's connections behind the shipped 50 per host.
 */
class ProviderHttpPoolTest {

    @Test
    void poolsFitTheAccountsConcurrency() throws Exception {
        Map<String, String> s = new java.util.HashMap<>();
        for (String a : List.of("paypro-id", "paypro-ke", "paypro-pk", "diamondpay-id")) {
            s.put("payout.provider." + a + ".max-concurrent", "40");
        }
        try (Gateway g = Gateway.start("http-pool", s)) {
            List<HttpEndpoint> provider = g.context().getEndpoints().stream()
                    .filter(e -> e instanceof HttpEndpoint && e.getEndpointUri().startsWith("http://provider-"))
                    .map(HttpEndpoint.class::cast).toList();
            assertThat(provider).hasSize(2);
            for (HttpEndpoint e : provider) {
                ConnPoolControl<?> pool = (ConnPoolControl<?>) e.getClientConnectionManager();
                assertThat(pool.getDefaultMaxPerRoute()).as(e.getEndpointUri()).isGreaterThanOrEqualTo(160);
                assertThat(pool.getMaxTotal()).as(e.getEndpointUri()).isGreaterThanOrEqualTo(200);
            }
        }
    }
}
