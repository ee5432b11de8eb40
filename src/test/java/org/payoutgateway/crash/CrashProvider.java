package org.payoutgateway.crash;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful stand-in for the four provider accounts, living in the test JVM while the gateway
 * runs (and dies) in a child JVM. It behaves like a real provider towards a re-sent reference:
 *
 * <ul>
 *   <li>a create with a new reference is accepted (Paypro {@code code 0000, data.status 0015};
 *       DiamondPay {@code error_code 0000}) and remembered;</li>
 *   <li>a create with a reference it already accepted is refused as a duplicate (Paypro outer code
 *       {@code 1003}; DiamondPay {@code error_code 0009}) and is <b>not</b> counted as accepted;</li>
 *   <li>a query for an accepted reference answers success (Paypro {@code data.status 0000} with
 *       {@code data.tradeNo}; DiamondPay {@code status 3} with {@code payout_cl_id});</li>
 *   <li>a query for an accepted reference that {@link #fails} picks answers failed instead (Paypro
 *       {@code data.status 0006}, a failure code; DiamondPay {@code status 5}), again with its id;</li>
 *   <li>a query for a reference it never accepted answers "not found" (Paypro outer code
 *       {@code 1004}, to be configured as {@code query.not-found-codes}; DiamondPay {@code 0050}).</li>
 * </ul>
 *
 * Some calls are slowed by a few milliseconds, before and after the order is taken, so that a kill
 * of the gateway lands mid-call: the provider may get a create whose answer the gateway never reads.
 * The decision (accept or refuse) is atomic per reference, whatever the concurrency.
 *
 * <p>Several gateway replicas can be told apart: a replica whose accounts' base URLs are
 * {@code http://host:port/via/<replica>/<account>} has its creates counted under its name
 * ({@link #createsByReplica}, {@link #acceptedByReplica}); without the prefix they count under "".
 */
final class CrashProvider implements AutoCloseable {

    private static final Pattern TRADE_NO = Pattern.compile("\"tradeNo\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern PAYOUT_CL_ID = Pattern.compile("\"payout_cl_id\"\\s*:\\s*\"([^\"]+)\"");

    /** An order the provider accepted: under which account, with which provider id, how many times (must stay 1). */
    static final class Order {
        final String account;
        final String providerId;
        final AtomicInteger accepted = new AtomicInteger();
        /** Whether the provider ends this order FAILED (its queries say so) rather than SUCCESS. */
        final boolean failed;

        Order(String account, String providerId, boolean failed) {
            this.account = account;
            this.providerId = providerId;
            this.failed = failed;
        }
    }

    /** Time every create call takes besides the random pauses: a provider slower than the gateway's dispatch. */
    volatile int createLatencyMs;
    /** References whose orders the provider ends FAILED (decided when it accepts them); none by default. */
    volatile java.util.function.Predicate<String> fails = reference -> false;
    private final HttpServer server;
    private final ExecutorService pool;
    private final Random random;
    private final AtomicLong ids = new AtomicLong();

    /** reference -> the order accepted for it. */
    final ConcurrentHashMap<String, Order> orders = new ConcurrentHashMap<>();
    /** reference -> create calls received for it (accepted or refused). */
    final ConcurrentHashMap<String, AtomicInteger> createAttempts = new ConcurrentHashMap<>();
    final LongAdder creates = new LongAdder();
    final LongAdder refusedDuplicates = new LongAdder();
    final LongAdder queries = new LongAdder();
    final LongAdder queriesNotFound = new LongAdder();
    final LongAdder unrecognised = new LongAdder();
    /** reference -> when (System.nanoTime) the reply to its accepted create was sent in full. */
    final ConcurrentHashMap<String, Long> answeredAt = new ConcurrentHashMap<>();
    private final ThreadLocal<String> acceptedNow = new ThreadLocal<>();
    private final ThreadLocal<String> replicaNow = new ThreadLocal<>();
    /** replica (the {@code /via/<replica>/} of the call's path) -> create calls it made (accepted or refused). */
    final ConcurrentHashMap<String, LongAdder> createsByReplica = new ConcurrentHashMap<>();
    /** replica -> creates of it the provider accepted (a reference's one accepted create). */
    final ConcurrentHashMap<String, LongAdder> acceptedByReplica = new ConcurrentHashMap<>();
    /** reference -> the replica whose create the provider accepted. */
    final ConcurrentHashMap<String, String> acceptedFrom = new ConcurrentHashMap<>();

    CrashProvider(long seed, int threads) throws IOException {
        // without TCP_NODELAY the JDK server's small replies wait for delayed ACKs (~40 ms each)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.random = new Random(seed);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "crash-provider");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String replica = "";
            if (path.startsWith("/via/")) {
                int end = path.indexOf('/', "/via/".length());
                replica = end < 0 ? path.substring("/via/".length()) : path.substring("/via/".length(), end);
                path = end < 0 ? "/" : path.substring(end);
            }
            replicaNow.set(replica);
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String[] segments = path.split("/", 3); // "", account, rest
            String account = segments.length > 1 ? segments[1] : "";
            String rest = segments.length > 2 ? "/" + segments[2] : "/";
            pause(0.2, 10); // slow before the order is taken: the caller may be gone by then
            String reply;
            int status = 200;
            if (account.startsWith("diamondpay")) {
                reply = diamondPay(account, ex.getRequestMethod(), rest, body);
            } else if (account.startsWith("paypro")) {
                reply = paypro(account, rest, body);
            } else {
                reply = null;
            }
            if (reply == null) {
                unrecognised.increment();
                status = 404;
                reply = "{\"error\":\"no such endpoint\"}";
            }
            pause(0.3, 20); // slow after the order is taken: the caller may never read the answer
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
            String accepted = acceptedNow.get();
            if (accepted != null) {
                answeredAt.put(accepted, System.nanoTime());
            }
        } catch (IOException callerGone) {
            // the gateway was killed mid-call: the order stays taken, as at a real provider
        } finally {
            acceptedNow.remove();
            replicaNow.remove();
            ex.close();
        }
    }

    private String paypro(String account, String rest, String body) {
        String reference = first(TRADE_NO, body);
        if (reference == null) {
            return null;
        }
        if (rest.contains("query")) {
            queries.increment();
            Order o = orders.get(reference);
            if (o == null || !o.account.equals(account)) {
                queriesNotFound.increment();
                return "{\"code\":\"1004\",\"msg\":\"order does not exist\",\"success\":false}";
            }
            return "{\"code\":\"0000\",\"msg\":\"success\",\"success\":true,\"data\":{\"status\":\""
                    + (o.failed ? "0006" : "0000") + "\",\"tradeNo\":\"" + reference + "\",\"platFormTradeNo\":\""
                    + o.providerId + "\",\"message\":\"" + (o.failed ? "FAILED: account closed" : "SUCCESS") + "\"}}";
        }
        Order accepted = create(account, reference, "PP");
        if (accepted == null) {
            return "{\"code\":\"1003\",\"msg\":\"duplicate tradeNo\",\"success\":false}";
        }
        return "{\"code\":\"0000\",\"msg\":\"success\",\"success\":true,\"data\":{\"status\":\"0015\",\"tradeNo\":\""
                + reference + "\",\"platFormTradeNo\":\"" + accepted.providerId + "\",\"desc\":\"CREATED\"}}";
    }

    private String diamondPay(String account, String method, String rest, String body) {
        String prefix = "/gateway/api/v2/payouts";
        if (!rest.startsWith(prefix)) {
            return null;
        }
        if ("POST".equals(method)) {
            String reference = first(PAYOUT_CL_ID, body);
            if (reference == null) {
                return null;
            }
            Order accepted = create(account, reference, "POT");
            if (accepted == null) {
                return "{\"error_code\":\"0009\",\"error_msg\":\"Duplicate payout_cl_id\"}";
            }
            return "{\"error_code\":\"0000\",\"error_msg\":\"\",\"data\":{\"payout_id\":\"" + accepted.providerId + "\"}}";
        }
        if (!rest.startsWith(prefix + "/")) {
            return null;
        }
        queries.increment();
        String reference = URLDecoder.decode(rest.substring(prefix.length() + 1), StandardCharsets.UTF_8);
        Order o = orders.get(reference);
        if (o == null || !o.account.equals(account)) {
            queriesNotFound.increment();
            return "{\"error_code\":\"0050\",\"error_msg\":\"Payout not found\"}";
        }
        return "{\"error_code\":\"0000\",\"error_msg\":\"\",\"data\":{\"payout_id\":\"" + o.providerId
                + "\",\"payout_cl_id\":\"" + reference + "\",\"platform_id\":\"PF0002\",\"status\":" + (o.failed ? "5,\"error_msg\":\"account closed\"}}" : "3,\"error_msg\":\"\"}}");
    }

    /** Takes a create atomically: the new order, or null when the reference was already accepted (refused). */
    private Order create(String account, String reference, String idPrefix) {
        creates.increment();
        String replica = replicaNow.get() == null ? "" : replicaNow.get();
        createsByReplica.computeIfAbsent(replica, k -> new LongAdder()).increment();
        if (createLatencyMs > 0) {
            try {
                Thread.sleep(createLatencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        createAttempts.computeIfAbsent(reference, k -> new AtomicInteger()).incrementAndGet();
        Order fresh = new Order(account, idPrefix + ids.incrementAndGet(), fails.test(reference));
        Order existing = orders.putIfAbsent(reference, fresh);
        if (existing != null) {
            refusedDuplicates.increment();
            return null;
        }
        fresh.accepted.incrementAndGet();
        acceptedByReplica.computeIfAbsent(replica, k -> new LongAdder()).increment();
        acceptedFrom.put(reference, replica);
        acceptedNow.set(reference);
        return fresh;
    }

    private void pause(double probability, int maxMillis) {
        int millis;
        synchronized (random) {
            millis = random.nextDouble() < probability ? 1 + random.nextInt(maxMillis) : 0;
        }
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String first(Pattern p, String body) {
        Matcher m = p.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    /** References accepted more than once (must be none: a duplicate is refused, never taken). */
    Map<String, Integer> acceptedTwice() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        orders.forEach((ref, o) -> {
            if (o.accepted.get() != 1) {
                out.put(ref, o.accepted.get());
            }
        });
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
