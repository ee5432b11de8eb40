package org.payoutgateway.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the simulated providers' notify (callback) requests: each one {@code POST}ed once, JSON,
 * at a given instant, best effort. A failure (refused connection, timeout, any HTTP status) is
 * logged at DEBUG and dropped; the real providers retry, the sandbox does not, so the gateway's
 * status queries stay the way a lost callback is recovered.
 *
 * <p>A Camel service: the scheduler (two daemon threads) exists between start and stop, and
 * {@link ProviderSandbox} registers it with the CamelContext so it stops with the context.
 */
final class SandboxNotifier extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxNotifier.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int THREADS = 2;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private volatile ScheduledExecutorService scheduler;

    @Override
    protected void doStart() {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = task -> {
            Thread t = new Thread(task, "sandbox-notify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        scheduler = Executors.newScheduledThreadPool(THREADS, daemons);
    }

    @Override
    protected void doStop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
        }
    }

    /**
     * POSTs {@code body} (built when it is sent) to {@code url} at {@code when}.
     *
     * @param what names the notify in log lines, e.g. {@code paypro-id tradeNo=...}
     */
    void postAt(Instant when, String url, Supplier<String> body, String what) {
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            LOG.debug("sandbox notify for {} dropped: the sandbox is not running", what);
            return;
        }
        // rounded up, so the notify never leaves before the instant it reports on
        long delayMs = Math.max(0, Duration.between(Instant.now(), when).toMillis() + 1);
        try {
            s.schedule(() -> post(url, body, what), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("sandbox notify for {} dropped: the sandbox is stopping", what);
        }
    }

    private void post(String url, Supplier<String> body, String what) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.get()))
                    .build();
            HttpResponse<String> reply = http.send(request, HttpResponse.BodyHandlers.ofString());
            LOG.debug("sandbox notify for {} sent to {}: HTTP {} {}", what, url, reply.statusCode(),
                    abbreviate(reply.body()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("sandbox notify for {} to {} interrupted", what, url);
        } catch (Exception e) {
            LOG.debug("sandbox notify for {} to {} failed: {}", what, url, e.toString());
        }
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
