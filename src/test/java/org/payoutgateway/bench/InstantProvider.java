package org.payoutgateway.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in provider that answers instantly, for the benchmark: every create is taken
 * (processing), every query says success. Serves the four accounts' paths under any prefix and
 * counts creates per reference, so a run can prove nothing was sent twice.
 */
final class InstantProvider implements AutoCloseable {

    private static final Pattern REFERENCE = Pattern.compile("\"(?:tradeNo|payout_cl_id)\"\\s*:\\s*\"([^\"]+)\"");
    private final HttpServer server;
    private final ExecutorService pool;
    final ConcurrentHashMap<String, AtomicInteger> creates = new ConcurrentHashMap<>();
    final LongAdder requests = new LongAdder();

    InstantProvider(int threads) throws IOException {
        // without TCP_NODELAY the JDK server's small replies wait for delayed ACKs (~40 ms each)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        pool = Executors.newFixedThreadPool(threads);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.increment();
        String path = ex.getRequestURI().getPath();
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String reply;
        if (path.contains("/gateway/api/v2/payouts")) {
            if ("POST".equals(ex.getRequestMethod())) {
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
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void count(String body) {
        Matcher m = REFERENCE.matcher(body);
        if (m.find()) {
            creates.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    long sentTwice() {
        return creates.values().stream().filter(c -> c.get() > 1).count();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
