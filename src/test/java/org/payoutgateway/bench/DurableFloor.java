package org.payoutgateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.payoutgateway.GatewayConfiguration;
import org.payoutgateway.payout.Payout;
import org.payoutgateway.payout.PayoutState;
import org.payoutgateway.payout.PayoutStore;
import org.payoutgateway.provider.ProviderAccounts;
import org.payoutgateway.provider.ProviderConnector;
import org.payoutgateway.provider.ProviderReply;
import org.payoutgateway.provider.ProviderRequest;

/**
 * The durable floor of the throughput benchmark (docs/performance.md): a plain Java loop, no Camel,
 * doing the least durable work the gateway's rules need for each of N payouts, on a fresh database
 * of the same store and through the same store code: store the payout with its history row (in
 * intake transactions of {@code intakeBatch}), claim it (compare-and-set, per account, a lane's
 * worth at a time), send the same signed create request to the same stand-in, record the reply with
 * its history row (one commit for the replies of a claim), record the final state (one commit).
 * What the gateway does beyond this (routes, lanes, group commit, metrics, health, status queries
 * over HTTP) is its cost over the floor.
 */
final class DurableFloor {

    /** One run: wall time and the JVM's CPU time, in milliseconds. */
    record Run(long elapsedMs, long cpuMs) {
    }

    private DurableFloor() {
    }

    static Run run(DataSource db, ProviderAccounts accounts, List<String> accountNames, int n, int intakeBatch,
                   int concurrency, int claimSize, String prefix) throws Exception {
        GatewayConfiguration.migrate(db);
        PayoutStore store = new PayoutStore(db, Clock.systemUTC());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long start = System.nanoTime();
        long cpuStart = ThroughputBenchmark.processCpuMs();
        for (int from = 0; from < n; from += intakeBatch) {
            List<PayoutStore.Candidate> batch = new ArrayList<>(intakeBatch);
            for (int i = from; i < Math.min(n, from + intakeBatch); i++) {
                String account = accountNames.get(i % accountNames.size());
                batch.add(new PayoutStore.Candidate(ThroughputBenchmark.payout(prefix + i, account).instruction(), account,
                        List.of()));
            }
            store.admit(batch, "FILE", "floor.csv", "default");
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger done = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            String account = accountNames.get(t % accountNames.size());
            workers.add(pool.submit(() -> {
                ProviderConnector connector = accounts.get(account);
                while (true) {
                    List<Payout> claimed = store.claimForDispatch(account, claimSize);
                    if (claimed.isEmpty()) {
                        return null;
                    }
                    List<PayoutStore.Transition> replies = new ArrayList<>(claimed.size());
                    for (Payout p : claimed) {
                        ProviderRequest r = connector.createRequest(p, Instant.now());
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(r.url()))
                                .POST(HttpRequest.BodyPublishers.ofString(r.body()));
                        r.headers().forEach(b::header);
                        HttpResponse<String> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                        ProviderReply reply = connector.readCreateReply(resp.statusCode(), resp.body());
                        replies.add(new PayoutStore.Transition(p, PayoutStore.Change.to(PayoutState.SUBMITTED)
                                .providerReference(reply.providerReference()).providerStatus(reply.providerStatus())
                                .message(reply.message()).nextActionAt(Instant.now())));
                    }
                    store.transitionAll(replies);
                    List<PayoutStore.Transition> finals = new ArrayList<>(claimed.size());
                    for (PayoutStore.Transition t2 : replies) {
                        Payout submitted = new Payout(t2.current().reference(), t2.current().instruction(), account,
                                "FILE", "floor.csv", PayoutState.SUBMITTED, null, null, null, 1, 0, false, false, null,
                                t2.current().createdAt(), Instant.now());
                        finals.add(new PayoutStore.Transition(submitted, PayoutStore.Change.to(PayoutState.SUCCESS).noNextAction()));
                    }
                    store.transitionAll(finals);
                    done.addAndGet(claimed.size());
                }
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        if (done.get() != n) {
            throw new AssertionError("the floor loop finished " + done.get() + " of " + n + " payouts");
        }
        return new Run((System.nanoTime() - start) / 1_000_000, ThroughputBenchmark.processCpuMs() - cpuStart);
    }
}
