package org.payoutgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in provider at a real provider's pace, for {@link ProviderPaceBenchmark}: each create and
 * each query is answered after the account's latency (150 ms unless set otherwise); a payout is
 * "processing" until {@code settleAfterMs} after its create, then paid. Serves the four accounts'
 * paths under {@code /<account>/}; remembers when each create of each account was answered, so a
 * run can tell each account's throughput and prove nothing was sent twice.
 */
final class PacedProvider implements AutoCloseable {

    private static final Pattern REFERENCE = Pattern.compile("\"(?:tradeNo|payout_cl_id)\"\\s*:\\s*\"([^\"]+)\"");
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, Integer> latencyMs;
    private final long settleAfterMs;
    /** reference -> when its create was answered (ms since epoch); a second create is counted in {@link #sentTwice}. */
    final ConcurrentHashMap<String, Long> created = new ConcurrentHashMap<>();
    /** account -> when each of its creates was answered. */
    final ConcurrentHashMap<String, ConcurrentLinkedQueue<Long>> createsAnswered = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.LongAdder sentTwice = new java.util.concurrent.atomic.LongAdder();
    /** Queries answered "processing" (asked before the payout settled: a request of the rate spent on nothing). */
    final java.util.concurrent.atomic.LongAdder queriesEarly = new java.util.concurrent.atomic.LongAdder();
    /** Time from each request's arrival (its body read) to its answer, and the number of answers: the stand-in's own delay beyond its latency. */
    final java.util.concurrent.atomic.LongAdder answerNanos = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder answers = new java.util.concurrent.atomic.LongAdder();
    /** Queries answered "paid". */
    final java.util.concurrent.atomic.LongAdder queriesPaid = new java.util.concurrent.atomic.LongAdder();
    /** account -> calls (creates and queries) being answered now, and the most seen at once. */
    final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> maxInFlight = new ConcurrentHashMap<>();

    /** @param latencyMs per account, the time before each answer (accounts not named: 150 ms) */
    PacedProvider(Map<String, Integer> latencyMs, long settleAfterMs) throws Exception {
        this.latencyMs = latencyMs;
        this.settleAfterMs = settleAfterMs;
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(buffer -> {
            String path = req.path();
            String account = path.split("/")[1];
            boolean diamond = path.contains("/gateway/api/v2/payouts");
            boolean create = diamond ? "POST".equals(req.method().name()) : !path.contains("query");
            String reference = diamond && !create ? path.substring(path.lastIndexOf('/') + 1) : reference(buffer.toString());
            long arrived = System.nanoTime();
            int now0 = inFlight.computeIfAbsent(account, a -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            maxInFlight.computeIfAbsent(account, a -> new java.util.concurrent.atomic.AtomicInteger()).accumulateAndGet(now0, Math::max);
            vertx.setTimer(latencyMs.getOrDefault(account, 150), t -> {
                inFlight.get(account).decrementAndGet();
                String reply;
                if (create) {
                    long now = System.currentTimeMillis();
                    if (created.putIfAbsent(reference, now) != null) {
                        sentTwice.increment();
                    }
                    createsAnswered.computeIfAbsent(account, a -> new ConcurrentLinkedQueue<>()).add(now);
                    reply = diamond ? "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\"}}"
                            : "{\"msg\":\"success\",\"code\":\"0000\",\"success\":true,\"data\":{\"status\":\"0015\",\"platFormTradeNo\":\"P1\",\"desc\":\"CREATED\"}}";
                } else {
                    Long at = created.get(reference);
                    boolean paid = at != null && System.currentTimeMillis() - at >= settleAfterMs;
                    (paid ? queriesPaid : queriesEarly).increment();
                    reply = diamond
                            ? "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\",\"payout_cl_id\":\"" + reference
                                    + "\",\"status\":" + (paid ? 3 : 2) + "}}"
                            : "{\"msg\":\"success\",\"code\":\"0000\",\"success\":true,\"data\":{\"status\":\""
                                    + (paid ? "0000" : "0015") + "\",\"platFormTradeNo\":\"P1\",\"message\":\"" + (paid ? "SUCCESS" : "PROCESSING") + "\"}}";
                }
                req.response().putHeader("Content-Type", "application/json").end(reply);
                answerNanos.add(System.nanoTime() - arrived);
                answers.increment();
            });
        });
    }

    private static String reference(String body) {
        Matcher m = REFERENCE.matcher(body);
        return m.find() ? m.group(1) : "";
    }

    @Override
    public void close() {
        vertx.close();
    }
}
