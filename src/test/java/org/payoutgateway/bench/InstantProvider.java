package org.payoutgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in provider that answers instantly, for the benchmark: every create is taken
 * (processing), every query says success. Serves the four accounts' paths under any prefix and
 * counts creates per reference, so a run can prove nothing was sent twice. Vert.x, so that the
 * stand-in is never what the benchmark measures.
 */
final class InstantProvider implements AutoCloseable {

    private static final Pattern REFERENCE = Pattern.compile("\"(?:tradeNo|payout_cl_id)\"\\s*:\\s*\"([^\"]+)\"");
    private final Vertx vertx;
    private final HttpServer server;
    final ConcurrentHashMap<String, AtomicInteger> creates = new ConcurrentHashMap<>();
    final LongAdder requests = new LongAdder();

    InstantProvider(int threads) throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        requests.increment();
        req.body().onSuccess(buffer -> {
            String path = req.path();
            String body = buffer.toString();
            String reply;
            if (path.contains("/gateway/api/v2/payouts")) {
                if ("POST".equals(req.method().name())) {
                    count(body);
                    reply = "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\"}}";
                } else {
                    String ref = path.substring(path.lastIndexOf('/') + 1);
                    reply = "{\"error_code\":\"0000\",\"data\":{\"payout_id\":\"POT1\",\"payout_cl_id\":\"" + ref + "\",\"status\":3}}";
                }
            } else if (path.contains("query")) {
                reply = "{\"msg\":\"success\",\"code\":\"0000\",\"success\":true,\"data\":{\"status\":\"0000\",\"platFormTradeNo\":\"P1\",\"message\":\"SUCCESS\"}}";
            } else {
                count(body);
                reply = "{\"msg\":\"success\",\"code\":\"0000\",\"success\":true,\"data\":{\"status\":\"0015\",\"platFormTradeNo\":\"P1\",\"desc\":\"CREATED\"}}";
            }
            req.response().putHeader("Content-Type", "application/json").end(reply);
        });
    }

    private void count(String body) {
        Matcher m = REFERENCE.matcher(body);
        if (m.find()) {
            creates.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Forgets the creates of references starting with {@code prefix} (a baseline's), so they do not weigh on the heap measured next. */
    void forget(String prefix) {
        creates.keySet().removeIf(reference -> reference.startsWith(prefix));
    }

    long sentTwice() {
        return creates.values().stream().filter(c -> c.get() > 1).count();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
