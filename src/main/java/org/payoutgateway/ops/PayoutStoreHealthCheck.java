package org.payoutgateway.ops;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: the payout store answers a query. Nothing can be taken or sent without it. A store
 * that does not answer within {@link #ANSWER_WITHIN} is DOWN then and there (the connection pool
 * would wait its own 30 s, longer than health probes wait).
 */
public class PayoutStoreHealthCheck extends AbstractHealthCheck {

    static final Duration ANSWER_WITHIN = Duration.ofSeconds(3);

    private final DataSource dataSource;
    private final ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "payout-store-health");
        t.setDaemon(true);
        return t;
    });
    private Future<Boolean> pending;

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
        Future<Boolean> answer;
        synchronized (this) {
            // one probe at a time: a store that hangs is not asked again until the last one ends
            if (pending == null || pending.isDone()) {
                pending = probe.submit(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        return c.isValid(2);
                    }
                });
            }
            answer = pending;
        }
        try {
            if (answer.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS)) {
                builder.up();
            } else {
                builder.message("payout store connection is not valid").down();
            }
        } catch (TimeoutException e) {
            builder.message("payout store did not answer within " + ANSWER_WITHIN.toSeconds() + " s").down();
        } catch (ExecutionException e) {
            builder.message("payout store unreachable: " + e.getCause().getClass().getSimpleName()).error(e.getCause()).down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.message("interrupted").down();
        }
    }
}
