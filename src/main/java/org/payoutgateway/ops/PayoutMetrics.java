package org.payoutgateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.ProviderReply;

/**
 * The gateway's own Prometheus metrics (served with Camel's at {@code /observe/metrics}):
 * <ul>
 *   <li>{@code payouts{intake,account,state}}: payouts per intake, account and state (refreshed
 *       from the store every {@code payout.metrics.refresh-interval-ms});</li>
 *   <li>{@code payouts_oldest_age_seconds{state}} and {@code payouts_count{state}} for UNKNOWN
 *       (age since the outcome became unknown) and SUBMITTED (since the payout was received);</li>
 *   <li>{@code provider_calls_seconds{account,call,outcome}}: latency of create and query calls by
 *       outcome class (PROCESSING, SUCCESS, FAILED, UNKNOWN, NOT_TAKEN, NOT_FOUND);</li>
 *   <li>{@code payout_file_rows_total{outcome}}: file rows taken (ACCEPTED, REJECTED, DUPLICATE);
 *       its rate is the rows per second while a file is processed.</li>
 * </ul>
 */
public class PayoutMetrics {

    private final MeterRegistry registry;
    private final PayoutStore store;
    private final MultiGauge payouts;
    private final Map<String, AtomicLong> oldestAge = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> watchedCount = new ConcurrentHashMap<>();

    public PayoutMetrics(MeterRegistry registry, PayoutStore store) {
        this.registry = registry;
        this.store = store;
        this.payouts = MultiGauge.builder("payouts").description("payouts per intake, account and state").register(registry);
        for (String state : List.of("UNKNOWN", "SUBMITTED")) {
            AtomicLong age = new AtomicLong();
            AtomicLong count = new AtomicLong();
            oldestAge.put(state, age);
            watchedCount.put(state, count);
            Gauge.builder("payouts_oldest_age_seconds", age, AtomicLong::get).tag("state", state)
                    .description("age of the oldest payout in this state").register(registry);
            Gauge.builder("payouts_count", count, AtomicLong::get).tag("state", state)
                    .description("payouts in this state").register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records one provider call: {@code call} is create or query. */
    public void providerCall(String account, String call, ProviderReply.Outcome outcome, long nanos) {
        Timer.builder("provider_calls").description("provider call latency by outcome class")
                .tags("account", account, "call", call, "outcome", outcome.name())
                .register(registry).record(Duration.ofNanos(nanos));
    }

    public void fileRows(String outcome, int rows) {
        Counter.builder("payout_file_rows").description("payout file rows taken, by outcome").tag("outcome", outcome)
                .register(registry).increment(rows);
    }

    /** Reads the per-state figures from the store (called by the metrics route). */
    public void refresh() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Instant now = store.now();
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT intake, COALESCE(account, '-'), state, COUNT(*) FROM payout GROUP BY intake, account, state");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(MultiGauge.Row.of(Tags.of("intake", rs.getString(1), "account", rs.getString(2),
                            "state", rs.getString(3)), rs.getLong(4)));
                }
            }
            for (String state : oldestAge.keySet()) {
                // UNKNOWN: since the outcome became unknown; SUBMITTED: since the payout was received
                // (each "still processing" answer rewrites updated_at)
                String since = state.equals("UNKNOWN") ? "COALESCE(unknown_since, updated_at)" : "created_at";
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MIN(" + since + ") FROM payout WHERE state = ?")) {
                    ps.setString(1, state);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        watchedCount.get(state).set(rs.getLong(1));
                        OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
                        oldestAge.get(state).set(oldest == null ? 0 : Duration.between(oldest.toInstant(), now).toSeconds());
                    }
                }
            }
            return null;
        });
        payouts.register(rows, true);
    }
}
