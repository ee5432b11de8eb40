package org.payoutgateway.provider;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the provider calls' HTTP connection pools at least as large as the accounts' concurrency:
 * the create and the query endpoints ({@code http://provider-create}, {@code http://provider-query})
 * each hold one pool for every account, limited per host by
 * {@code camel.component.http.connections-per-route}. Accounts of one provider often share its host
 * (and a stand-in serves all of them), so a pool smaller than the sum of the accounts'
 * {@code max-concurrent} would make the accounts' lanes wait for each other's connections: a slow
 * account would hold connections the others need, and the concurrency each account was given would
 * not be reached. Each pool is raised (never lowered) to that sum, per host and in all; the
 * concurrency permits of {@link AccountGuards} stay what limits the calls.
 */
public final class ProviderHttpPool {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderHttpPool.class);

    private ProviderHttpPool() {
    }

    /** Raises the provider endpoints' pools to the sum of the accounts' max-concurrent (at start, after a live change). */
    public static void fit(CamelContext camel, AccountGuards guards) {
        int needed = guards.accounts().stream().mapToInt(guards::maxConcurrent).sum();
        for (Endpoint e : camel.getEndpoints()) {
            if (e instanceof HttpEndpoint http && http.getEndpointUri().startsWith("http://provider-")
                    && http.getClientConnectionManager() instanceof ConnPoolControl<?> pool) {
                boolean raised = false;
                if (pool.getDefaultMaxPerRoute() < needed) {
                    pool.setDefaultMaxPerRoute(needed);
                    raised = true;
                }
                if (pool.getMaxTotal() < needed) {
                    pool.setMaxTotal(needed);
                    raised = true;
                }
                if (raised) {
                    LOG.info("Provider HTTP connections of {}: {} per host, {} in all (the accounts' max-concurrent together)",
                            http.getEndpointBaseUri(), pool.getDefaultMaxPerRoute(), pool.getMaxTotal());
                }
            }
        }
    }
}
