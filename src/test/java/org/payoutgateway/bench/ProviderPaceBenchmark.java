package org.payoutgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.payoutgateway.GatewayConfiguration;
import org.payoutgateway.GatewayMain;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.support.Gateway;

/**
 * The gateway against providers at a real provider's pace (not a test: run with
 * {@code mvn -Pbenchmark verify}, see docs/performance.md). A stand-in ({@link PacedProvider})
 * answers every create and query after 150 ms and settles each payout 2 s after its create; each
 * account has a rate limit of {@code bench.pace.rate} requests per second and 16 concurrent calls.
 * Its limits allow {@code Σ min(rate, 16 / 0.15 s)} requests per second in all.
 * <ol>
 *   <li>realistic: N payouts over the four accounts; the creates' throughput at the provider against
 *       what the limits allow (target ≥ 0.9), and the time until every payout is final against the
 *       time the limits need for its creates and queries (target ≤ 1.2 ×);</li>
 *   <li>one slow account: the same with paypro-ke answering after 6 s; the other three accounts'
 *       create throughput against theirs in (1) (target ≥ 0.9).</li>
 * </ol>
 * Latency-bound, not CPU-bound: the figures hold on a busy machine. Settings: -Dbench.pace.n=8000,
 * -Dbench.pace.rate=100, -Dbench.pace.warm-up=1000 (an unmeasured first run, 0 for none),
 * -Dbench.set.&lt;setting&gt;=&lt;value&gt; (a gateway setting, for trials). Results in target/benchmark-pace.md.
 */
class ProviderPaceBenchmark {

    static final int N = Integer.getInteger("bench.pace.n", 8000);
    static final int RATE = Integer.getInteger("bench.pace.rate", 100);
    /** Payouts of an unmeasured first run, so that the measured ones do not pay for compiling the gateway's code. */
    static final int WARM_UP = Integer.getInteger("bench.pace.warm-up", 1000);
    static final int MAX_CONCURRENT = 16;
    static final double LATENCY_S = 0.15;
    static final List<String> OTHERS = List.of("paypro-id", "paypro-pk", "diamondpay-id");

    record Run(double othersRate, double allRate, long allFinalMs, long sentTwice, String diagnostics) {
    }

    @Test
    void run() throws Exception {
        double perAccount = Math.min(RATE, MAX_CONCURRENT / LATENCY_S);
        double limit = 4 * perAccount;
        if (WARM_UP > 0) {
            runOnce(Map.of(), false, WARM_UP); // not measured: a gateway in service has long been compiled
        }
        Run realistic = runOnce(Map.of(), false, N);
        double needS = 2.0 * N / limit; // one create and one query per payout (it settles before its first query)
        Run slow = runOnce(Map.of("paypro-ke", 6000), true, N);
        String table = String.format("""
                | measurement | figure | target |
                |---|---|---|
                | realistic: creates per second at the provider | %.0f of %.0f allowed (%.2f) | ≥ 0.9 |
                | realistic: %,d payouts all final | %.1f s; the limits need %.1f s for creates and queries (%.2f ×) | ≤ 1.2 × |
                | one account at 6 s: the other three accounts' creates per second | %.0f, against %.0f in the realistic run (%.2f) | ≥ 0.9 |
                """, realistic.allRate(), limit, realistic.allRate() / limit, N, realistic.allFinalMs() / 1000.0, needS,
                realistic.allFinalMs() / 1000.0 / needS, slow.othersRate(), realistic.othersRate(),
                slow.othersRate() / realistic.othersRate());
        System.out.println(table);
        System.out.println("realistic run: " + realistic.diagnostics());
        System.out.println("slow-account run: " + slow.diagnostics());
        Files.writeString(Path.of("target", "benchmark-pace.md"), "Provider pace benchmark (N " + N + ", rate " + RATE
                + "/s per account, 150 ms per call, settled 2 s after create)\n\n" + table);
        assertThat(realistic.sentTwice() + slow.sentTwice()).as("payouts sent twice").isZero();
    }

    private Run runOnce(Map<String, Integer> latencies, boolean othersOnly, int n) throws Exception {
        Path home = Files.createDirectories(Path.of("target", "bench", "pace-" + UUID.randomUUID()).toAbsolutePath());
        try (PacedProvider provider = new PacedProvider(latencies, 2000)) {
            Properties p = Gateway.defaults(home, Gateway.freePort());
            ThroughputBenchmark.providerSettings(provider.port()).forEach(p::setProperty);
            p.setProperty("payout.datasource.url", GatewayConfiguration.DEFAULT_H2_URL.replace("./data/db/payouts",
                    home.resolve("db/payouts").toString()));
            p.setProperty("payout.intake.erp.enabled", "false");
            p.setProperty("payout.query.cron", "* * * * * ?");
            p.setProperty("camel.component.http.response-timeout", "30000");
            p.setProperty("camel.component.http.so-timeout", "30000");
            for (String a : ThroughputBenchmark.ACCOUNTS) {
                p.setProperty("payout.provider." + a + ".rate-limit", String.valueOf(RATE));
                p.setProperty("payout.provider." + a + ".max-concurrent", String.valueOf(MAX_CONCURRENT));
                p.setProperty("payout.provider." + a + ".query-schedule", "5s,10s,30s,1m");
            }
            // -Dbench.set.<setting>=<value>: a gateway setting for this run (for trials of settings)
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.set."))
                    .forEach(k -> p.setProperty(k.substring("bench.set.".length()), System.getProperty(k)));
            Path file = ThroughputBenchmark.generate(home, n);
            Main main = GatewayMain.create(p);
            main.start();
            try {
                PayoutStore store = main.getCamelContext().getRegistry().lookupByNameAndType("payoutStore", PayoutStore.class);
                javax.sql.DataSource db = main.getCamelContext().getRegistry()
                        .lookupByNameAndType("payoutDataSource", javax.sql.DataSource.class);
                // the inbox is made by the file route, which starts once this gateway holds the
                // files' lock (perhaps after start() returned)
                Path inbox = Files.createDirectories(home.resolve("inbox"));
                Path result = home.resolve("outbox").resolve("bench.csv.result.csv");
                long start = System.currentTimeMillis();
                Files.move(file, inbox.resolve("bench.csv"));
                long deadline = start + Duration.ofMinutes(Math.max(15, n / 2000)).toMillis();
                while (System.currentTimeMillis() < deadline) {
                    Thread.sleep(othersOnly ? 250 : 50);
                    // realistic: until the file's result file is written (the "all final"),
                    // looked for in the outbox (not a count over the store every few ms)
                    if (othersOnly ? othersPaid(db, n) : Files.exists(result)) {
                        break;
                    }
                }
                long allFinalMs = System.currentTimeMillis() - start;
                if (!othersOnly) {
                    assertThat(store.countByState().getOrDefault(PayoutState.SUCCESS, 0)).as("all paid").isEqualTo(n);
                }
                return new Run(rate(provider, OTHERS), rate(provider, ThroughputBenchmark.ACCOUNTS), allFinalMs,
                        provider.sentTwice.sum(), diagnostics(provider, start));
            } finally {
                main.stop();
            }
        }
    }

    /** What the provider saw: its requests, when the creates came, how many calls at once. */
    private static String diagnostics(PacedProvider provider, long start) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("queries answered paid %d, asked before settled %d; stand-in's time per call %.1f ms; ",
                provider.queriesPaid.sum(), provider.queriesEarly.sum(),
                provider.answerNanos.sum() / 1e6 / Math.max(1, provider.answers.sum())));
        for (String a : ThroughputBenchmark.ACCOUNTS) {
            ConcurrentLinkedQueue<Long> at = provider.createsAnswered.getOrDefault(a, new ConcurrentLinkedQueue<>());
            long first = at.stream().mapToLong(Long::longValue).min().orElse(start);
            long last = at.stream().mapToLong(Long::longValue).max().orElse(start);
            b.append(String.format("%s: %d creates %.2f-%.2f s (%.0f /s), most calls at once %s; ", a, at.size(),
                    (first - start) / 1000.0, (last - start) / 1000.0, rate(provider, List.of(a)),
                    provider.maxInFlight.get(a)));
        }
        return b.toString();
    }

    /** Every payout of the three fast accounts is SUCCESS (the file spreads N evenly over four). */
    private static boolean othersPaid(javax.sql.DataSource db, int n) throws java.sql.SQLException {
        try (java.sql.Connection c = db.getConnection(); java.sql.ResultSet rs = c.createStatement().executeQuery(
                "SELECT COUNT(*) FROM payout WHERE state = 'SUCCESS' AND account <> 'paypro-ke'")) {
            rs.next();
            return rs.getLong(1) == n - n / 4;
        }
    }

    /** Creates per second of these accounts, from their first create answered to their last. */
    private static double rate(PacedProvider provider, List<String> accounts) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long count = 0;
        for (String a : accounts) {
            ConcurrentLinkedQueue<Long> at = provider.createsAnswered.getOrDefault(a, new ConcurrentLinkedQueue<>());
            for (long t : at) {
                first = Math.min(first, t);
                last = Math.max(last, t);
                count++;
            }
        }
        return count < 2 ? 0 : (count - 1) * 1000.0 / (last - first);
    }
}
