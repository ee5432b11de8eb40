package org.payoutgateway.api;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.payoutgateway.config.Settings;

/**
 * The API's rate limits (docs/api.md, "Rate limits"), on resilience4j rate limiters:
 * <ul>
 *   <li>each client at most its {@code payout.api.client.<name>.rate-limit} (default
 *       {@code payout.api.rate-limit}) requests a second;</li>
 *   <li>each source address at most {@code payout.api.auth-failures-per-minute} failed
 *       authentications a minute; past that, every request from it is refused until the minute
 *       ends, with a right key too, so keys cannot be guessed at speed.</li>
 * </ul>
 * Failed authentications and refusals are counted in {@code payout_api_auth_failures_total} and
 * {@code payout_api_rate_limited_total}.
 */
public final class ApiGuard {

    /** Source addresses remembered at most; the least recently seen is forgotten first. */
    static final int MAX_SOURCES = 10_000;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final Map<String, RateLimiter> clientLimits = new java.util.concurrent.ConcurrentHashMap<>();
    private final RateLimiterConfig failureConfig;
    private final Map<String, RateLimiter> sourceFailures = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RateLimiter> eldest) {
            return size() > MAX_SOURCES;
        }
    };
    private final MeterRegistry meters;

    public ApiGuard(ApiClients clients, Settings settings, MeterRegistry meters) {
        this.meters = meters;
        int failures = settings.getInt("payout.api.auth-failures-per-minute", 10);
        if (failures < 1) {
            throw new IllegalStateException("payout.api.auth-failures-per-minute must be at least 1, not " + failures);
        }
        this.failureConfig = RateLimiterConfig.custom().limitForPeriod(failures).limitRefreshPeriod(MINUTE)
                .timeoutDuration(Duration.ZERO).build();
        for (String name : clients.names()) {
            int rate = clients.named(name).orElseThrow().requestsPerSecond();
            if (rate < 1) {
                throw new IllegalStateException("payout.api.client." + name + ".rate-limit must be at least 1, not " + rate);
            }
        }
    }

    /**
     * Takes one request of this client's rate.
     *
     * @return 0 when the request may go on, else whole seconds until it may (counted as refused)
     */
    public long admitRequest(ApiClients.Client client) {
        RateLimiter limiter = clientLimits.computeIfAbsent(client.name(), n -> RateLimiter.of("api-" + n,
                RateLimiterConfig.custom().limitForPeriod(client.requestsPerSecond()).limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ZERO).build()));
        if (limiter.acquirePermission()) {
            return 0;
        }
        Counter.builder("payout_api_rate_limited_total").tag("client", client.name())
                .description("API requests refused with 429 because the client was over its rate limit").register(meters)
                .increment();
        return secondsToWait(limiter);
    }

    /** 0 while this source may still try to authenticate; else whole seconds until it may again. */
    public long sourceBlockedSeconds(String source) {
        RateLimiter limiter;
        synchronized (sourceFailures) {
            limiter = sourceFailures.get(source);
        }
        return limiter == null || limiter.getMetrics().getAvailablePermissions() > 0 ? 0 : secondsToWait(limiter);
    }

    /**
     * Counts a failed authentication of this source.
     *
     * @param reason {@code missing}, {@code wrong}, {@code key-in-url} or {@code blocked}
     */
    public void authenticationFailed(String source, String reason) {
        Counter.builder("payout_api_auth_failures_total").tag("reason", reason)
                .description("API requests refused because they did not authenticate").register(meters).increment();
        if (!"blocked".equals(reason)) {
            RateLimiter limiter;
            synchronized (sourceFailures) {
                limiter = sourceFailures.computeIfAbsent(source, s -> RateLimiter.of("api-auth", failureConfig));
            }
            limiter.acquirePermission();
        }
    }

    private static long secondsToWait(RateLimiter limiter) {
        long nanos = limiter instanceof AtomicRateLimiter a ? a.getDetailedMetrics().getNanosToWait() : 1_000_000_000L;
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
