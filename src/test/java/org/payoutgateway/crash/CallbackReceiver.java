package org.payoutgateway.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.payoutgateway.callback.SubmitterCallbacks;

/**
 * A submitter's callback receiver in the test JVM, outliving every kill of a gateway: answers
 * every POST {@code 200}, checks its {@code X-Payout-Signature} against the signing key, and keeps
 * each callback received per payout reference (the status and provider reference it told).
 */
final class CallbackReceiver implements AutoCloseable {

    /** One callback as received: what it said the payout ended as. */
    record Received(String status, String providerReference, boolean signatureValid) {
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final String signingKey;
    /** reference -> every callback received for it, in order. */
    final ConcurrentHashMap<String, List<Received>> received = new ConcurrentHashMap<>();
    final LongAdder unreadable = new LongAdder();

    CallbackReceiver(String signingKey) throws IOException {
        this.signingKey = signingKey;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "callback-receiver");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The callback_url a payout gives to reach this receiver. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/payout-callbacks";
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String signature = ex.getRequestHeaders().getFirst(SubmitterCallbacks.SIGNATURE_HEADER);
            boolean valid = SubmitterCallbacks.sign(body, signingKey).equals(signature);
            try {
                JsonNode p = ChildGateway.JSON.readTree(new String(body, StandardCharsets.UTF_8));
                String reference = p.path("reference").asText(null);
                if (reference == null) {
                    unreadable.increment();
                } else {
                    received.computeIfAbsent(reference, k -> new CopyOnWriteArrayList<>()).add(new Received(
                            p.path("status").asText(), p.path("provider_reference").asText(null), valid));
                }
            } catch (IOException notJson) {
                unreadable.increment();
            }
            ex.sendResponseHeaders(200, -1);
        } finally {
            ex.close();
        }
    }

    /** References received more than once, with how many times. */
    Map<String, Integer> receivedMoreThanOnce() {
        Map<String, Integer> out = new TreeMap<>();
        received.forEach((ref, list) -> {
            if (list.size() > 1) {
                out.put(ref, list.size());
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
