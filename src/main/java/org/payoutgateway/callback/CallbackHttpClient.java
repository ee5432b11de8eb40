package org.payoutgateway.callback;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client of callbacks to submitters ({@code httpClientConfigurer} of the callback route's
 * endpoint): redirects are never followed, and host names resolve through {@link CallbackTargets},
 * so the client connects only to addresses that were checked in that very lookup (a DNS answer
 * that changes between the check before a delivery and the connection cannot reach a refused
 * address). Timeouts and pool sizes are those of {@code camel.component.http.*}.
 */
public class CallbackHttpClient implements HttpClientConfigurer {

    private final CamelContext context;
    private final CallbackTargets targets;

    public CallbackHttpClient(CamelContext context, CallbackTargets targets) {
        this.context = context;
        this.targets = targets;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        HttpComponent http = context.getComponent("http", HttpComponent.class);
        ConnectionConfig.Builder connection = ConnectionConfig.custom();
        if (http.getConnectTimeout() > 0) {
            connection.setConnectTimeout(Timeout.ofMilliseconds(http.getConnectTimeout()));
        }
        if (http.getSoTimeout() > 0) {
            connection.setSocketTimeout(Timeout.ofMilliseconds(http.getSoTimeout()));
        }
        SocketConfig.Builder socket = SocketConfig.custom();
        if (http.getSoTimeout() > 0) {
            socket.setSoTimeout(Timeout.ofMilliseconds(http.getSoTimeout()));
        }
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new org.apache.hc.client5.http.SystemDefaultDnsResolver() {
                    @Override
                    public java.net.InetAddress[] resolve(String host) throws java.net.UnknownHostException {
                        return targets.addresses(host);
                    }
                })
                .setDefaultConnectionConfig(connection.build())
                .setDefaultSocketConfig(socket.build())
                .setMaxConnTotal(Math.max(1, http.getMaxTotalConnections()))
                .setMaxConnPerRoute(Math.max(1, http.getConnectionsPerRoute()))
                .build();
        builder.setConnectionManager(connections);
        builder.disableRedirectHandling();
    }
}
