package org.payoutgateway.ops;

import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: the payout store answers a query. Nothing can be taken or sent without it. */
public class PayoutStoreHealthCheck extends AbstractHealthCheck {

    private final DataSource dataSource;

    public PayoutStoreHealthCheck(DataSource dataSource) {
        super("payout", "payout-store");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                builder.up();
            } else {
                builder.message("payout store connection is not valid").down();
            }
        } catch (Exception e) {
            builder.message("payout store unreachable: " + e.getClass().getSimpleName()).error(e).down();
        }
    }
}
