package org.payoutgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The store's readiness check answers DOWN within seconds when the store does not answer at all. */
class PayoutStoreHealthCheckTest {

    @Test
    void aStoreThatDoesNotAnswerIsDownWithinSeconds() throws Exception {
        DataSource hanging = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        Thread.sleep(30_000); // as a pool waiting for a database that is gone
                    }
                    return null;
                });
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            PayoutStoreHealthCheck check = new PayoutStoreHealthCheck(hanging);
            check.setCamelContext(camel);
            long started = System.nanoTime();
            HealthCheck.Result result = check.call();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(result.getMessage()).hasValue("payout store did not answer within 3 s");
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            // asked again while the first probe still hangs: DOWN again within seconds, no second probe piles up
            started = System.nanoTime();
            assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
